package io.churnradar.local.command;

import io.churnradar.bench.BenchReport;
import io.churnradar.bench.Benchmark;
import io.churnradar.local.runtime.ChurnRadarHome;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar bench}: the backtest, the streaming detection, a parse-only ceiling and USAGE_DROP in
 * plain Flink SQL, measured on the same file in one process, so that a performance change is judged by
 * ratios that anyone can rerun. Prints figures; nothing here judges them.
 */
@Command(name = "bench", header = "measure the backtest and streaming detection against a parse-only ceiling and Flink SQL",
        description = {"Generates a deterministic history (or reads --events FILE) and runs on it, in this process, alternating and"
                + " repeating each: the ceiling (the backtest's reading and parsing, keyBy account, a stateless function, a discarding"
                + " sink), flink-sql (USAGE_DROP in plain Flink SQL: a 7-day HOP window sliding by a day, joined with the window 7"
                + " days earlier), backtest (./churn-radar backtest: all signals, health and playbooks) and streaming (the streaming"
                + " job's detection on RocksDB, from a bounded file source at full speed, checkpointing). Prints per pipeline and"
                + " backend events per CPU-second of the process (median, min, max), events per second, the ratios to the ceiling"
                + " and to flink-sql, peak heap, checkpoint size and state bytes per account. Progress goes to the terminal; the"
                + " input is deleted at the end."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events-count", paramLabel = "N", description = "Events to generate (default 1000000).")
    long eventsCount = 1_000_000;

    @Option(names = "--accounts", paramLabel = "N", description = "Accounts of the generated history (default 10000).")
    int accounts = 10_000;

    @Option(names = "--days", paramLabel = "N", description = "Days of the generated history (default 60).")
    int days = 60;

    @Option(names = "--skew", paramLabel = "X", description = {"Key skew of the generated history: 0 every account alike (default),"
            + " 1 Zipf (account n has 1/n of the first one's activity); 0..5."})
    double skew = 0;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the generated history (default 42): the same seed, the same file.")
    int seed = 42;

    @Option(names = "--events", paramLabel = "FILE", description = "Measure on this file of our JSON Lines events instead of generating one.")
    Path events;

    @Option(names = "--backend", paramLabel = "heap|rocksdb|both", description = {"State backend of flink-sql and backtest (default"
            + " both); streaming always runs on RocksDB, the ceiling keeps no state."})
    String backend = "both";

    @Option(names = "--parallelism", paramLabel = "N", description = {"Parallelism of every pipeline (1..256; default: parallelism.default"
            + " of flink-conf/local/config.yaml)."})
    Integer parallelism;

    @Option(names = "--runs", paramLabel = "N", description = "Runs of each pipeline, alternating (default 3, 1..100).")
    int runs = 3;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures, every run and the machine as JSON to FILE.")
    Path json;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    BenchCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        if (events != null && !Files.isRegularFile(events)) throw Values.usage(spec, "--events " + events + " is not a file");
        if (eventsCount < 1 || eventsCount > 1_000_000_000) {
            throw Values.usage(spec, "--events-count must be a whole number from 1 to 1000000000, got '" + eventsCount + "'");
        }
        Values.range(spec, "--accounts", accounts, 1, 100_000_000);
        Values.range(spec, "--days", days, 1, 3650);
        Values.range(spec, "--skew", skew, 0, 5);
        Values.range(spec, "--seed", seed, 0, Integer.MAX_VALUE);
        List<String> backends = switch (backend) {
            case "heap" -> List.of("heap");
            case "rocksdb" -> List.of("rocksdb");
            case "both" -> List.of("heap", "rocksdb");
            default -> throw Values.usage(spec, "--backend must be heap, rocksdb or both, got '" + backend + "'");
        };
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = Values.range(spec, "--parallelism", this.parallelism == null ? defaultParallelism : this.parallelism, 1, 256);
        Values.range(spec, "--runs", runs, 1, 100);

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
}
