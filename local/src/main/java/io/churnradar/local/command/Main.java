package io.churnradar.local.command;

import io.churnradar.backtest.input.UnreadableInputFile;
import io.churnradar.config.ConfigException;
import io.churnradar.local.runtime.ExpectedFailureLogging;
import io.churnradar.local.runtime.RunGuard;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code ./churn-radar}: {@code demo}, {@code run}, {@code backtest}, {@code convert}, {@code bench},
 * {@code rules validate}, {@code rules publish}, {@code state export}, {@code help}. Exit codes (also in
 * {@code ./churn-radar help}): 0 done; 1 failed (the job failed or ran out of memory; for {@code rules}, a rules file
 * that is not valid, or rejected); 2 bad command line or config/rules file; 130 interrupted (Ctrl-C); 239 Flink
 * stopped the JVM after a fatal error in one of its threads (usually out of memory; {@link RunGuard} says so).
 */
public final class Main {
    public static final int DONE = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int INTERRUPTED = 130;

    private Main() {}

    public static void main(String[] args) {
        // Before anything starts: however the run ends from here (an error in any thread, Flink's fatal exit,
        // Ctrl-C), the user is told why and the temp folders go.
        RunGuard.arm(System.err, "./churn-radar " + String.join(" ", args));
        // A bounded run's last checkpoint, declined as its tasks close, is no news: no 30-line stack after the figures.
        ExpectedFailureLogging.quietCheckpointsDeclinedAsTasksClose();
        int code = run(args, System.out, System.err);
        System.out.flush();
        RunGuard.finished();
        // A signal's exit is under way (Ctrl-C, SIGTERM): its status (130, 143) stands. Called once its shutdown hooks
        // have run, System.exit would halt the JVM at once with the command's status (1 for a cancelled job) instead.
        if (RunGuard.shuttingDown()) return;
        // Kafka and Flink leave non-daemon threads behind even when closed; everything is cleaned up by now.
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. Tests call this directly. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return commandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands Errors on; the heap may have room again now that the command's objects are gone.
            return failure(e, args, err);
        }
    }

    /** The launcher's command line: every command, its options and converters, and how errors are reported. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ChurnRadarCommand(), new Factory(out));
        Values.register(cl);
        configureHelp(cl);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, args) -> usageError(e, err));
        cl.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, parseResult.originalArgs().toArray(String[]::new), err));
        return cl;
    }

    /** Options in the order declared (the order of the README), the long option names wide enough to align. */
    private static void configureHelp(CommandLine cl) {
        cl.getCommandSpec().usageMessage().sortOptions(false).sortSynopsis(false).width(110).longOptionsMaxWidth(36)
                .autoWidth(false).abbreviateSynopsis(false).synopsisHeading("%nUsage: ").descriptionHeading("%n")
                .parameterListHeading("%nArguments:%n").optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
        cl.getSubcommands().values().forEach(Main::configureHelp);
    }

    /** A bad command line: what is wrong, what is allowed, and where to read more. Exit code 2. */
    private static int usageError(ParameterException e, PrintStream err) {
        CommandLine cl = e.getCommandLine();
        String name = commandName(cl.getCommandSpec());
        boolean commandExpected = !cl.getSubcommands().isEmpty() && cl.getCommandSpec().positionalParameters().isEmpty();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && commandExpected && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            message = "unknown " + (name.isEmpty() ? "command" : "subcommand") + " '" + u.getUnmatched().get(0) + "'";
        }
        err.println("churn-radar: " + (name.isEmpty() ? "" : name + ": ") + message);
        if (e instanceof UnmatchedArgumentException u) {
            if (commandExpected) {
                err.println("  allowed: " + String.join(", ", cl.getSubcommands().keySet()));
            } else if (u.isUnknownOption()) {
                err.println("  allowed: " + String.join(", ", cl.getCommandSpec().options().stream().map(OptionSpec::longestName).toList()));
            }
            if (!u.getSuggestions().isEmpty()) err.println("  did you mean " + String.join(" or ", u.getSuggestions()) + "?");
        } else if (!cl.getSubcommands().isEmpty() && e.getMessage().endsWith("is needed")) {
            err.println("  allowed: " + String.join(", ", cl.getSubcommands().keySet()));
        }
        err.println(name.isEmpty() ? "Run './churn-radar help' for every command and option."
                : "Run './churn-radar " + name + " --help' for its options, './churn-radar help' for every command.");
        return USAGE;
    }

    /** "rules publish" for that command, "" for the top level. */
    static String commandName(CommandSpec spec) {
        String q = spec.qualifiedName(" ");
        String root = spec.root().name();
        return q.equals(root) ? "" : q.substring(root.length() + 1);
    }

    /** A command that failed: what happened and what to change, then (for the unexpected) where. */
    static int failure(Throwable e, String[] args, PrintStream err) {
        if (e instanceof ConfigException) {
            // Names the file, each bad key and its allowed values: enough to fix it, no stack trace needed.
            err.println("churn-radar: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof CommandFailure) {
            err.println("churn-radar: " + (args.length > 0 ? args[0] + ": " : "") + e.getMessage());
            return FAILED;
        }
        OutOfMemoryError oom = outOfMemory(e);
        String seen = RunGuard.outOfMemorySeen();
        if (oom != null || seen != null) {
            // A job's task threads fail with it wrapped in Flink's exceptions, or Flink stops the task manager and the
            // job only "restarted": either way the heap was too small; say what to change.
            RunGuard.explained();
            err.println(RunGuard.outOfMemoryAdvice(oom != null ? oom.getMessage() : seen, "./churn-radar " + String.join(" ", args)));
            return FAILED;
        }
        if (RunGuard.shuttingDown()) return FAILED; // the JVM is exiting (Ctrl-C, Flink's fatal exit): its hook explains
        IOException full = diskFull(e);
        if (full != null) {
            err.println(diskFullAdvice(full.getMessage(), "./churn-radar " + String.join(" ", args)));
            return FAILED;
        }
        // An input file cut off or corrupt: its message names it, how far it was read and what to do; no trace needed.
        UnreadableInputFile unreadable = ExceptionUtils.findThrowable(e, UnreadableInputFile.class).orElse(null);
        if (unreadable != null) {
            err.println("churn-radar: " + (isJobFailure(e) ? "the job stopped: " : "") + unreadable.getMessage());
            return FAILED;
        }
        e.printStackTrace(err);
        Throwable root = rootCause(e);
        err.println("churn-radar: " + (isJobFailure(e) ? "the job failed" : "failed") + ": " + describe(root));
        if (root != e) err.println("  (the root cause of: " + describe(e) + "; the full trace is above)");
        return FAILED;
    }

    /** The IOException of a full disk behind a failure (the JDK's messages for ENOSPC and EDQUOT), if that is what it was. */
    static IOException diskFull(Throwable t) {
        return (IOException) ExceptionUtils.findThrowable(t, c -> c instanceof IOException && c.getMessage() != null
                && (c.getMessage().contains("No space left on device") || c.getMessage().contains("Disk quota exceeded"))).orElse(null);
    }

    /** What to change when a disk filled up: where the launcher's commands write, and how much. */
    static String diskFullAdvice(String what, String command) {
        return "churn-radar: a disk is full (" + what + ").\n"
                + "  A backtest keeps its sorted runs in a scratch folder under --out while it runs (compressed, about a sixth of"
                + " the results) and then writes the result files there: up to 20 times the input (11 GB for 648 MB of events"
                + " of a million accounts). The local Flink, Kafka and RocksDB work in the temp folder ("
                + System.getProperty("java.io.tmpdir") + ").\n"
                + "  Free space there, choose --out on a larger disk, or move the temp folder, e.g.\n"
                + "  CHURN_RADAR_JAVA_OPTS=-Djava.io.tmpdir=/big/tmp " + command + "\n"
                + "  Temporary folders are removed.";
    }

    /** The OutOfMemoryError behind a failure, if that is what it was. */
    static OutOfMemoryError outOfMemory(Throwable t) {
        return ExceptionUtils.findThrowable(t, OutOfMemoryError.class).orElse(null);
    }

    static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root;
    }

    private static boolean isJobFailure(Throwable t) {
        return ExceptionUtils.findThrowable(t, c -> c.getClass().getName().startsWith("org.apache.flink.runtime.client.JobExecutionException"))
                .isPresent();
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Creates the commands, handing each the stream its report goes to (tests capture it). */
    private static final class Factory implements CommandLine.IFactory {
        private final PrintStream out;

        Factory(PrintStream out) {
            this.out = out;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var c = cls.getDeclaredConstructor(PrintStream.class);
                c.setAccessible(true);
                return c.newInstance(out);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
