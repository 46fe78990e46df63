package io.churnradar.local;

import io.churnradar.bench.BenchReport;
import io.churnradar.bench.Benchmark;
import io.churnradar.bench.LatencyBenchmark;
import io.churnradar.bench.LatencyReport;
import io.churnradar.bench.micro.MicroBenchmarks;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * {@code ./churn-radar bench}: the backtest, the streaming detection, a parse-only ceiling and USAGE_DROP in
 * plain Flink SQL, measured on the same file in one process, so that a performance change is judged by
 * ratios that anyone can rerun. Prints figures; nothing here judges them.
 */
final class BenchCommand {
    static final CommandLine.Command COMMAND = new CommandLine.Command("bench",
            "measure the backtest and streaming detection against a parse-only ceiling and Flink SQL",
            """
            Generates a deterministic history (or reads --events FILE) and runs on it, in this process, alternating
            and repeating each: the ceiling (the backtest's reading and parsing, keyBy account, a stateless function,
            a discarding sink), flink-sql (USAGE_DROP in plain Flink SQL: a 7-day HOP window sliding by a day,
            joined with the window 7 days earlier), backtest (./churn-radar backtest: all signals, health and
            playbooks) and streaming (the streaming job's detection on RocksDB, from a bounded file source at full
            speed, checkpointing). Prints per pipeline and backend events per CPU-second of the process (median,
            min, max), events per second, the ratios to the ceiling and to flink-sql, peak heap, checkpoint size
            and state bytes per account. Progress goes to the terminal; the input is deleted at the end.
            --latency measures event-to-alert latency through a real broker instead, --micro runs the JMH
            micro-benchmarks of the per-event hot path (README, "Benchmark").""",
            List.of(
                    new CommandLine.Option("--events-count", "N", "Events to generate (default 1000000)."),
                    new CommandLine.Option("--accounts", "N", "Accounts of the generated history (default 10000)."),
                    new CommandLine.Option("--days", "N", "Days of the generated history (default 60)."),
                    new CommandLine.Option("--skew", "X", "Key skew of the generated history: 0 every account alike (default),\n"
                            + "1 Zipf (account n has 1/n of the first one's activity)."),
                    new CommandLine.Option("--seed", "N", "Seed of the generated history (default 42): the same seed, the same file."),
                    new CommandLine.Option("--events", "FILE", "Measure on this file of our JSON Lines events instead of generating one."),
                    new CommandLine.Option("--backend", "heap|rocksdb|both", "State backend of flink-sql and backtest (default both);\n"
                            + "streaming always runs on RocksDB, the ceiling keeps no state."),
                    new CommandLine.Option("--parallelism", "N", "Parallelism of every pipeline (default: parallelism.default of\n"
                            + "flink-conf/local/config.yaml)."),
                    new CommandLine.Option("--runs", "N", "Runs of each pipeline, alternating (default 3)."),
                    new CommandLine.Option("--json", "FILE", "Also write the figures, every run and the machine as JSON to FILE."),
                    new CommandLine.Option("--latency", null, "Measure event-to-alert latency instead: a real broker and the streaming\n"
                            + "job (exactly-once), fed at fractions of its maximum input rate; prints p50, p99,\n"
                            + "p99.9 and max per step of the alerts read read_committed (README, Benchmark)."),
                    new CommandLine.Option("--max-rate", "N", "With --latency: events per second taken as the maximum (default: measure it)."),
                    new CommandLine.Option("--probe-events", "N", "With --latency: events of the first burst that measures the maximum (default\n"
                            + "20000; a second burst is sized from its result to last about 20 s)."),
                    new CommandLine.Option("--fractions", "X,Y,...", "With --latency: the steps, fractions of the maximum (default 0.5,0.7)."),
                    new CommandLine.Option("--step-duration", "DURATION", "With --latency: how long each step sends, e.g. 60s (default 60s)."),
                    new CommandLine.Option("--alert-share", "X", "With --latency: share of events that trigger an alert at once (default 0.1)."),
                    new CommandLine.Option("--micro", null, "Run the JMH micro-benchmarks of the per-event hot path instead (parse,\n"
                            + "de-duplicate, state update, state serializer round trip, a control)."),
                    new CommandLine.Option("--jmh", "ARGS", "With --micro: JMH's own options, e.g. \"-f 1 -wi 3 -i 5 -r 1s\" or a benchmark\n"
                            + "name pattern.")));

    private final PrintStream out;
    private final Path flinkConf;

    BenchCommand(PrintStream out, Path flinkConf) {
        this.out = out;
        this.flinkConf = flinkConf;
    }

    int run(CommandLine.Parsed args) throws Exception {
        if (args.has("--latency")) return latency(args);
        if (args.has("--micro")) {
            String jmh = args.has("--jmh") ? args.get("--jmh").trim() : "";
            MicroBenchmarks.run(jmh.isEmpty() ? new String[0] : jmh.split("\\s+"), out);
            return 0;
        }
        Path events = null;
        if (args.has("--events")) {
            events = Path.of(args.get("--events"));
            if (!Files.isRegularFile(events)) throw new UsageException("bench: --events " + events + " is not a file");
        }
        long eventsCount = args.integer("--events-count", 1_000_000, 1, 1_000_000_000);
        int accounts = args.integer("--accounts", 10_000, 1, 100_000_000);
        int days = args.integer("--days", 60, 1, 3650);
        double skew = args.number("--skew", 0, 0, 5);
        long seed = args.integer("--seed", 42, 0, Integer.MAX_VALUE);
        String backend = args.has("--backend") ? args.get("--backend") : "both";
        List<String> backends = switch (backend) {
            case "heap" -> List.of("heap");
            case "rocksdb" -> List.of("rocksdb");
            case "both" -> List.of("heap", "rocksdb");
            default -> throw new UsageException("bench: --backend must be heap, rocksdb or both, got '" + backend + "'");
        };
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = args.integer("--parallelism", defaultParallelism, 1, 256);
        int runs = args.integer("--runs", 3, 1, 100);
        Path json = args.has("--json") ? Path.of(args.get("--json")) : null;

        Benchmark.Settings settings = new Benchmark.Settings(events, eventsCount, accounts, days, skew, backends, parallelism, runs,
                flinkConf, seed);
        BenchReport report = new Benchmark(settings, out).run();
        out.println();
        out.print(report.table());
        if (json != null) {
            report.writeJson(json);
            out.println("\nWritten to " + json.toAbsolutePath().normalize());
        }
        return 0;
    }

    private int latency(CommandLine.Parsed args) throws Exception {
        List<Double> fractions = new java.util.ArrayList<>();
        for (String f : (args.has("--fractions") ? args.get("--fractions") : "0.5,0.7").split(",")) {
            try {
                double x = Double.parseDouble(f.trim());
                if (x > 0 && x <= 2) {
                    fractions.add(x);
                    continue;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException("bench: --fractions must be numbers above 0 and up to 2, separated by commas, got '" + f + "'");
        }
        String stepText = args.has("--step-duration") ? args.get("--step-duration") : "60s";
        java.time.Duration step = io.churnradar.config.Durations.parse(stepText);
        if (step == null) throw new UsageException("bench: --step-duration must be a duration such as 30s or 2m, got '" + stepText + "'");
        if (step.toMillis() < 1000) throw new UsageException("bench: --step-duration must be at least 1s");
        LatencyBenchmark.Settings settings = new LatencyBenchmark.Settings(args.integer("--accounts", 10_000, 1, 10_000_000),
                args.number("--alert-share", 0.1, 0.001, 1), args.has("--max-rate") ? args.number("--max-rate", 0, 1, 1e8) : null,
                args.integer("--probe-events", 20_000, 1, 100_000_000), fractions, step, flinkConf, args.integer("--seed", 42, 0,
                Integer.MAX_VALUE));
        LatencyReport report;
        try (StopSignal stop = new StopSignal()) {
            report = new LatencyBenchmark(settings, out, stop::requested).run();
        } catch (LatencyBenchmark.Stopped e) {
            out.println("Interrupted; the broker, the job and their temp folders are gone.");
            return 130;
        }
        out.println();
        out.print(report.table());
        if (args.has("--json")) {
            Path json = Path.of(args.get("--json"));
            report.writeJson(json);
            out.println("\nWritten to " + json.toAbsolutePath().normalize());
        }
        return 0;
    }
}
