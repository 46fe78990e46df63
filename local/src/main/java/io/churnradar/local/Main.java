package io.churnradar.local;

import io.churnradar.config.ConfigException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./churn-radar}: {@code demo}, {@code run}, {@code backtest}, {@code convert}, {@code bench},
 * {@code rules validate}, {@code rules publish}, {@code state export}, {@code help}. Exit codes: 0 done, 1 failed (for {@code rules}: a rules file that is
 * not valid, or rejected), 2 bad command line or config/rules file, 130 interrupted (Ctrl-C).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        // Kafka and Flink leave non-daemon threads behind even when closed; everything is cleaned up by now.
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. Tests call this directly. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("churn-radar: a command is needed; allowed: " + String.join(", ", CommandLine.groups()));
            err.println("Run './churn-radar help' for every command and option.");
            return 2;
        }
        try {
            if (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
                if (args.length > 2 && CommandLine.isGroup(args[1])) {
                    out.print(subcommand(args[1], args[2]).help());
                } else if (args.length > 1 && CommandLine.isGroup(args[1])) {
                    out.print(CommandLine.groupHelp(args[1]));
                } else if (args.length > 1) {
                    CommandLine.Command c = CommandLine.command(args[1]);
                    out.print(c == CommandLine.HELP ? CommandLine.overview() : c.help());
                } else {
                    out.print(CommandLine.overview());
                }
                return 0;
            }
            CommandLine.Command command;
            int words = 1;
            if (CommandLine.isGroup(args[0])) {
                if (args.length < 2 || args[1].equals("--help") || args[1].equals("-h")) {
                    if (args.length >= 2) {
                        out.print(CommandLine.groupHelp(args[0]));
                        return 0;
                    }
                    throw new UsageException(args[0] + ": a subcommand is needed; allowed: " + subcommandNames(args[0]));
                }
                command = subcommand(args[0], args[1]);
                words = 2;
            } else {
                command = CommandLine.command(args[0]);
            }
            CommandLine.Parsed parsed = CommandLine.parse(command, List.of(Arrays.copyOfRange(args, words, args.length)));
            if (parsed.helpRequested()) {
                out.print(command == CommandLine.HELP ? CommandLine.overview() : command.help());
                return 0;
            }
            if (command == CommandLine.HELP) {
                out.print(CommandLine.overview());
                return 0;
            }
            return switch (command.name()) {
                case "demo" -> new DemoCommand(out, ChurnRadarHome.flinkConfDir()).run(parsed);
                case "run" -> new RunCommand(out, ChurnRadarHome.flinkConfDir()).run(parsed);
                case "backtest" -> new BacktestCommand(out, ChurnRadarHome.flinkConfDir()).run(parsed);
                case "convert" -> new ConvertCommand(out).run(parsed);
                case "bench" -> new BenchCommand(out, ChurnRadarHome.flinkConfDir()).run(parsed);
                case "rules validate" -> new RulesCommand(out).validate(parsed);
                case "rules publish" -> new RulesCommand(out).publish(parsed);
                case "state export" -> new StateExportCommand(out, ChurnRadarHome.flinkConfDir()).run(parsed);
                default -> throw new IllegalStateException(command.name());
            };
        } catch (UsageException e) {
            err.println("churn-radar: " + e.getMessage());
            err.println("Run './churn-radar help' for every command and option.");
            return 2;
        } catch (ConfigException e) {
            // Names the file, each bad key and its allowed values: enough to fix it, no stack trace needed.
            err.println("churn-radar: " + e.getMessage());
            return 2;
        } catch (Exception | OutOfMemoryError e) {
            OutOfMemoryError oom = outOfMemory(e);
            if (oom != null) {
                // A job's task threads fail with it wrapped in Flink's exceptions: find it, say what to change.
                long heapMb = Runtime.getRuntime().maxMemory() >> 20;
                err.println("churn-radar: out of memory (" + oom.getMessage() + ") with a Java heap of " + heapMb + " MB.");
                err.println("  Give it more heap, e.g. CHURN_RADAR_JAVA_OPTS=-Xmx" + Math.max(4, 2 * heapMb / 1024) + "g ./churn-radar "
                        + String.join(" ", args) + ",");
                err.println("  or run the backtest over fewer files at a time. Temporary folders were removed.");
                return 1;
            }
            err.println("churn-radar: failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /** The OutOfMemoryError behind a failure, if that is what it was. */
    static OutOfMemoryError outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError oom) return oom;
        }
        return null;
    }

    private static CommandLine.Command subcommand(String group, String word) throws UsageException {
        for (CommandLine.Command c : CommandLine.commandsOf(group)) {
            if (c.name().equals(group + " " + word)) return c;
        }
        throw new UsageException(group + ": unknown subcommand '" + word + "'; allowed: " + subcommandNames(group));
    }

    private static String subcommandNames(String group) {
        return String.join(", ", CommandLine.commandsOf(group).stream().map(c -> c.name().substring(group.length() + 1)).toList());
    }
}
