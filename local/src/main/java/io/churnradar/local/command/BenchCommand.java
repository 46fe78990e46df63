package io.churnradar.local.command;

import io.churnradar.bench.BenchReport;
import io.churnradar.bench.Benchmark;
import io.churnradar.bench.DayCloseBenchmark;
import io.churnradar.bench.LatencyBenchmark;
import io.churnradar.bench.LatencyReport;
import io.churnradar.bench.micro.MicroBenchmarks;
import io.churnradar.local.runtime.StopSignal;
import java.time.Duration;
import java.util.ArrayList;
import io.churnradar.local.runtime.ChurnRadarHome;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.util.TimeUtils;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
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
                + " input is deleted at the end.",
                "--latency measures event-to-alert latency through a real broker instead; --micro runs the JMH micro-benchmarks"
                + " of the per-event hot path (README, \"Benchmark\")."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events-count", paramLabel = "N", description = "Events to generate (default 1000000).")
    long eventsCount = 1_000_000;

    @Option(names = "--accounts", paramLabel = "N", description = "Accounts of the generated history (default 10000; with --day-close 1000000).")
    Integer accounts;

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

    @Option(names = "--pipelines", paramLabel = "NAME,...", split = ",", description = {"Only these pipelines: ceiling, flink-sql,"
            + " backtest, streaming (default all; the ratios need ceiling and flink-sql in the same run)."})
    List<String> pipelines = new ArrayList<>(Benchmark.PIPELINES);

    @Option(names = "--flink-setting", paramLabel = "KEY=VALUE", description = {"A Flink setting of the jobs (every pipeline, the"
            + " --latency and --day-close jobs) over flink-conf/local/config.yaml, e.g. state.backend.rocksdb.timer-service.factory=HEAP"
            + " or execution.checkpointing.incremental=false (repeatable)."})
    Map<String, String> flinkSettings = new LinkedHashMap<>();

    @Option(names = "--account-cache", paramLabel = "N", description = {"Accounts the streaming pipeline keeps as objects per"
            + " subtask (the job's state.accountCache, default 16384; 0 writes every change to RocksDB at once)."})
    int accountCache = io.churnradar.detect.EventOrdering.DEFAULT_ACCOUNT_CACHE;

    @Option(names = "--rules", paramLabel = "FILE", description = {"Detection rules (YAML) of the backtest and streaming pipelines,"
            + " e.g. a shorter dedup.windowDays (default: the built-in default rules)."})
    Path rulesFile;

    @Option(names = "--cpu-by-thread", description = {"Also split each run's CPU by kind of thread: the job's operators, its"
            + " sources, the JIT compiler, GC and VM, RocksDB's background threads, the rest (Linux only; sampled every 100 ms, which costs about 1.5%% of a core)."})
    boolean cpuByThread;

    @Option(names = "--runs", paramLabel = "N", description = "Runs of each pipeline, alternating (default 3, 1..100).")
    int runs = 3;

    @Option(names = "--warmups", paramLabel = "N", description = {"Rounds of every pipeline run first and not counted, so that the"
            + " figures are not the JIT compiler's warm-up (default 1, 0..10)."})
    int warmups = 1;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures, every run and the machine as JSON to FILE.")
    Path json;

    @Option(names = "--latency", description = {"Measure event-to-alert latency instead: a real broker and the streaming job"
            + " (exactly-once unless --delivery), fed at fractions of its maximum input rate; prints p50, p99, p99.9 and max per step of the alerts"
            + " read read_committed (README, Benchmark)."})
    boolean latency;

    @Option(names = "--max-rate", paramLabel = "N", description = "With --latency: events per second taken as the maximum (default: measure it).")
    Double maxRate;

    @Option(names = "--probe-events", paramLabel = "N", description = {"With --latency: events of the first burst that measures the"
            + " maximum (default 20000; a second burst is sized from its result to last about 20 s)."})
    int probeEvents = 20_000;

    @Option(names = "--fractions", paramLabel = "X,Y,...", split = ",", description = "With --latency: the steps, fractions of the maximum (default 0.5,0.7).")
    List<Double> fractions = new ArrayList<>(List.of(0.5, 0.7));

    @Option(names = "--step-duration", paramLabel = "DURATION", description = "With --latency: how long each step sends, e.g. 60s (default 60s).")
    Duration stepDuration = Duration.ofSeconds(60);

    @Option(names = "--order", paramLabel = "event-time|arrival", description = {"With --latency: the job's eventTime.order"
            + " (default event-time: events wait up to the out-of-orderness bound to apply in event-time order)."})
    String order;

    @Option(names = "--max-out-of-orderness", paramLabel = "DURATION",
            description = "With --latency: the job's eventTime.maxOutOfOrderness (default: the job's, 5s).")
    Duration maxOutOfOrderness;

    @Option(names = "--delivery", paramLabel = "exactly-once|at-least-once", description = {"With --latency: the job's"
            + " delivery.guarantee (default exactly-once: an alert is visible read_committed after the checkpoint that commits it;"
            + " at-least-once: as soon as the sink writes it)."})
    String delivery;

    @Option(names = "--alert-share", paramLabel = "X", description = "With --latency: share of events that trigger an alert at once (default 0.1).")
    double alertShare = 0.1;

    @Option(names = "--day-close", description = {"Measure the day close instead: --accounts accounts (default 1000000) on RocksDB"
            + " in the streaming job's detection, checkpointing, each closing a day at midnight (plus its offset within --spread) while --other-events failed payments"
            + " arrive; prints the seconds the close took and the events per second of the other traffic meanwhile."})
    boolean dayClose;

    @Option(names = "--other-events", paramLabel = "N", description = {"With --day-close: events of other traffic, a failed payment of"
            + " a distinct account each (default 200000, at most --accounts)."})
    Integer otherEvents;

    @Option(names = "--spread", paramLabel = "DURATION", description = {"With --day-close: the job's eventTime.dayCloseSpread, over"
            + " which the accounts' closes are spread past midnight (default the job's, 5m; 0s: every close at midnight)."})
    Duration spread;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "With --day-close: give up and print what was measured after this long (default 30m).")
    Duration timeout = Duration.ofMinutes(30);

    @Option(names = "--micro", description = {"Run the JMH micro-benchmarks of the per-event hot path instead (parse, de-duplicate,"
            + " state update, state serializer round trip, a control)."})
    boolean micro;

    @Option(names = "--jmh", paramLabel = "ARGS", description = {"With --micro: JMH's own options, e.g. \"-f 1 -wi 3 -i 5 -r 1s\" or a"
            + " benchmark name pattern."})
    String jmh = "";

    @Mixin
    HelpOption help;

    private final PrintStream out;

    BenchCommand(PrintStream out) {
        this.out = out;
    }

    /**
     * The options each measurement takes beside its own flag (a run of the pipelines has none). An option given to a
     * measurement that does not use it is named, never silently left out: a figure measured without the rules or the
     * setting that was asked for would mislead.
     */
    static final Map<String, Set<String>> OPTIONS_OF = Map.of(
            "a run of the pipelines", Set.of("--events-count", "--accounts", "--days", "--skew", "--seed", "--events", "--backend",
                    "--parallelism", "--pipelines", "--flink-setting", "--account-cache", "--rules", "--cpu-by-thread", "--runs",
                    "--warmups", "--json"),
            "--latency", Set.of("--accounts", "--seed", "--flink-setting", "--json", "--max-rate", "--probe-events", "--fractions",
                    "--step-duration", "--order", "--max-out-of-orderness", "--delivery", "--alert-share"),
            "--day-close", Set.of("--accounts", "--parallelism", "--flink-setting", "--other-events", "--spread", "--timeout"),
            "--micro", Set.of("--jmh"));

    /** Checks that one measurement is asked for and that every option given belongs to it. */
    private void checkOptionsOfTheMeasurement() {
        List<String> modes = new ArrayList<>();
        if (latency) modes.add("--latency");
        if (dayClose) modes.add("--day-close");
        if (micro) modes.add("--micro");
        if (modes.size() > 1) throw Values.usage(spec, String.join(" and ", modes) + " are different measurements: give one of them");
        String mode = modes.isEmpty() ? "a run of the pipelines" : modes.get(0);
        Set<String> allowed = OPTIONS_OF.get(mode);
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            if (name.equals(mode) || o.usageHelp() || allowed.contains(name)) continue;
            throw Values.usage(spec, name + " does not apply to " + mode + ", which takes " + String.join(", ", new TreeSet<>(allowed)));
        }
    }

    @Override
    public Integer call() throws Exception {
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        checkOptionsOfTheMeasurement();
        if (json != null) json = Values.outputFile(spec, "--json", json);
        if (latency) return latency(flinkConf);
        if (dayClose) return dayClose(flinkConf);
        int accounts = this.accounts == null ? 10_000 : this.accounts;
        if (micro) {
            try {
                MicroBenchmarks.run(jmh.isBlank() ? new String[0] : jmh.trim().split("\\s+"), out);
            } catch (CommandLineOptionException e) {
                throw Values.usage(spec, "--jmh '" + jmh + "': " + e.getMessage() + " (JMH's own options, e.g. \"-f 1 -wi 3 -i 5 -r 1s\")");
            } catch (NoBenchmarksException e) {
                throw Values.usage(spec, "--jmh '" + jmh + "' matches no benchmark. A benchmark is chosen by a regular expression found"
                        + " in its full name (" + MicroBenchmarks.class.getPackageName() + ".Class.method): "
                        + String.join(", ", MicroBenchmarks.names()));
            }
            return 0;
        }
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
        Values.range(spec, "--warmups", warmups, 0, 10);
        for (String p : pipelines) {
            if (!Benchmark.PIPELINES.contains(p)) {
                throw Values.usage(spec, "--pipelines takes " + String.join(", ", Benchmark.PIPELINES) + ", got '" + p + "'");
            }
        }
        Values.range(spec, "--account-cache", accountCache, 0, io.churnradar.detect.EventOrdering.MAX_ACCOUNT_CACHE);
        if (pipelines.isEmpty()) throw Values.usage(spec, "--pipelines needs at least one of " + String.join(", ", Benchmark.PIPELINES));
        if (cpuByThread && !io.churnradar.bench.ThreadCpu.available()) {
            throw Values.usage(spec, "--cpu-by-thread " + io.churnradar.bench.ThreadCpu.UNAVAILABLE);
        }

        Benchmark.Settings settings = new Benchmark.Settings(events, eventsCount, accounts, days, skew, backends, parallelism, runs,
                warmups, flinkConf, seed, List.copyOf(pipelines), Map.copyOf(flinkSettings), accountCache, cpuByThread, rulesFile);
        BenchReport report;
        try {
            report = new Benchmark(settings, out).run();
        } catch (Benchmark.NoEvents e) {
            throw Values.usage(spec, "--events " + e.getMessage());
        }
        out.println();
        out.print(report.table());
        if (json != null) {
            report.writeJson(json);
            out.println("\nWritten to " + json.toAbsolutePath().normalize());
        }
        return 0;
    }

    private int dayClose(Path flinkConf) throws Exception {
        int accounts = Values.range(spec, "--accounts", this.accounts == null ? 1_000_000 : this.accounts, 1, 100_000_000);
        int others = Values.range(spec, "--other-events", this.otherEvents == null ? Math.min(200_000, accounts) : this.otherEvents, 1, accounts);
        if (timeout.toMillis() < 1000) throw Values.usage(spec, "--timeout must be at least 1s, got '" + TimeUtils.formatWithHighestUnit(timeout) + "'");
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = Values.range(spec, "--parallelism", this.parallelism == null ? defaultParallelism : this.parallelism, 1, 256);
        Duration spread = this.spread == null ? io.churnradar.detect.EventOrdering.DEFAULT_DAY_CLOSE_SPREAD : this.spread;
        if (spread.isNegative() || spread.compareTo(io.churnradar.detect.EventOrdering.MAX_DAY_CLOSE_SPREAD) > 0) {
            throw Values.usage(spec, "--spread must be between 0s and 1h, got '" + TimeUtils.formatWithHighestUnit(spread) + "'");
        }
        DayCloseBenchmark.Result r = new DayCloseBenchmark(
                new DayCloseBenchmark.Settings(accounts, others, parallelism, flinkConf, timeout, spread, flinkSettings), out).run();
        out.println();
        out.print(r.text());
        return 0;
    }

    private int latency(Path flinkConf) throws Exception {
        for (double f : fractions) {
            if (!(f > 0 && f <= 2)) throw Values.usage(spec, "--fractions must be numbers above 0 and up to 2, separated by commas, got '" + f + "'");
        }
        if (stepDuration.toMillis() < 1000) throw Values.usage(spec, "--step-duration must be at least 1s, got '" + TimeUtils.formatWithHighestUnit(stepDuration) + "'");
        int accounts = this.accounts == null ? 10_000 : this.accounts;
        Values.range(spec, "--accounts", accounts, 1, 10_000_000);
        Values.range(spec, "--alert-share", alertShare, 0.001, 1);
        if (maxRate != null) Values.range(spec, "--max-rate", maxRate, 1, 1e8);
        Values.range(spec, "--probe-events", probeEvents, 1, 100_000_000);
        Values.range(spec, "--seed", seed, 0, Integer.MAX_VALUE);
        io.churnradar.detect.EventOrdering ordering = null;
        if (order != null) {
            io.churnradar.detect.EventOrdering.Order o = io.churnradar.detect.EventOrdering.Order.of(order);
            if (o == null) throw Values.usage(spec, "--order must be event-time or arrival, got '" + order + "'");
            ordering = new io.churnradar.detect.EventOrdering(o, io.churnradar.detect.EventOrdering.DEFAULT_MAX_BUFFERED);
        }
        io.churnradar.config.JobSettings.Delivery guarantee = io.churnradar.config.JobSettings.Delivery.EXACTLY_ONCE;
        if (delivery != null) {
            guarantee = io.churnradar.config.JobSettings.Delivery.of(delivery);
            if (guarantee == null) {
                throw Values.usage(spec, "--delivery must be one of " + io.churnradar.config.JobSettings.Delivery.ids() + ", got '" + delivery + "'");
            }
        }
        LatencyBenchmark.Settings settings = new LatencyBenchmark.Settings(accounts, alertShare, maxRate, probeEvents,
                List.copyOf(fractions), stepDuration, flinkConf, seed, ordering, maxOutOfOrderness, guarantee, flinkSettings);
        LatencyReport report;
        try (StopSignal stop = new StopSignal()) {
            report = new LatencyBenchmark(settings, out, stop::requested).run();
        } catch (LatencyBenchmark.Stopped e) {
            out.println("Interrupted; the broker, the job and their temp folders are gone.");
            return 130;
        }
        out.println();
        out.print(report.table());
        if (json != null) {
            report.writeJson(json);
            out.println("\nWritten to " + json.toAbsolutePath().normalize());
        }
        return 0;
    }
}
