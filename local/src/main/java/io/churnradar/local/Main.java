package io.churnradar.local;

import io.churnradar.config.ConfigException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code ./churn-radar}: {@code demo}, {@code run}, {@code backtest}, {@code help}.
 * Exit codes: 0 done, 1 failed, 2 bad command line or config/rules file, 130 interrupted (Ctrl-C).
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
            err.println("churn-radar: a command is needed; allowed: demo, run, backtest, help");
            err.println("Run './churn-radar help' for every command and option.");
            return 2;
        }
        try {
            if (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
                if (args.length > 1) {
                    CommandLine.Command c = CommandLine.command(args[1]);
                    out.print(c == CommandLine.HELP ? CommandLine.overview() : c.help());
                } else {
                    out.print(CommandLine.overview());
                }
                return 0;
            }
            CommandLine.Command command = CommandLine.command(args[0]);
            CommandLine.Parsed parsed = CommandLine.parse(command, List.of(Arrays.copyOfRange(args, 1, args.length)));
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
        } catch (Exception e) {
            err.println("churn-radar: failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }
}
