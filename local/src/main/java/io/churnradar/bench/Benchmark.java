package io.churnradar.bench;

import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SignalEngine;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.ScratchDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;

/**
 * Runs every pipeline on one input file in this JVM, alternating them and repeating each {@code runs}
 * times after {@code warmups} rounds that are not counted, and measures each run: process CPU time (what
 * stays comparable on a shared machine), wall time, peak heap, and for the streaming pipeline its largest
 * checkpoint. Each run has a local Flink of its own, started before and stopped after the measured span, so
 * no run inherits another's cluster, state or files.
 */
public final class Benchmark {
    public static final String CEILING = "ceiling";
    public static final String FLINK_SQL = "flink-sql";
    public static final String BACKTEST = "backtest";
    public static final String STREAMING = "streaming";

    /** What to run on what. {@code events} null: generate the input from the other fields. */
    public record Settings(Path events, long eventsCount, int accounts, int days, double skew, List<String> backends,
            int parallelism, int runs, int warmups, Path flinkConf, long seed, List<String> pipelines, Map<String, String> flinkSettings,
            int accountCache, boolean cpuByThread, Path rulesFile) {}

    /** Every pipeline, in the order of a round. */
    public static final List<String> PIPELINES = List.of(CEILING, FLINK_SQL, BACKTEST, STREAMING);

    /** One pipeline on one state backend ("-" for the stateless ceiling). */
    public record Variant(String pipeline, String backend) {
        public String label() {
            return backend.equals("-") ? pipeline : pipeline + " (" + backend + ")";
        }
    }

    /**
     * One measured run. {@code checkpointBytes} is -1 when the pipeline completed no checkpoint; {@code cpuByThread} the
     * CPU-seconds by kind of thread ({@link ThreadCpu.Kind}'s labels), or null when not measured.
     */
    public record Run(double cpuSeconds, double wallSeconds, long peakHeapBytes, long checkpointBytes, Map<String, Double> cpuByThread) {}

    /** How often the CPU by thread is sampled: a task thread's last interval before its job ends counts as ended unsampled. */
    private static final Duration THREAD_SAMPLING = Duration.ofMillis(100);

    private final Settings settings;
    private final PrintStream progress;
    /** The detection rules of the backtest and streaming pipelines: {@link Settings#rulesFile}, or the defaults. */
    private final Rules rules;

    /** Reads {@link Settings#rulesFile} first, so that a bad rules file fails before any input is generated. */
    public Benchmark(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
        this.rules = settings.rulesFile() == null ? Rules.defaults() : Rules.load(settings.rulesFile());
    }

    /** The pipelines in the order of every round: ceiling, flink-sql and backtest per backend, streaming on RocksDB. */
    public static List<Variant> variants(List<String> backends) {
        return variants(backends, PIPELINES);
    }

    /** As above, only the {@code pipelines} named (a lever measured on one of them needs no other run). */
    public static List<Variant> variants(List<String> backends, List<String> pipelines) {
        List<Variant> v = new ArrayList<>();
        if (pipelines.contains(CEILING)) v.add(new Variant(CEILING, "-"));
        if (pipelines.contains(FLINK_SQL)) for (String b : backends) v.add(new Variant(FLINK_SQL, b));
        if (pipelines.contains(BACKTEST)) for (String b : backends) v.add(new Variant(BACKTEST, b));
        // The streaming job keeps its state in RocksDB in production: measured there only.
        if (pipelines.contains(STREAMING)) v.add(new Variant(STREAMING, "rocksdb"));
        return v;
    }

    public BenchReport run() throws Exception {
        try (ScratchDir scratch = ScratchDir.create("churn-radar-bench-")) {
            // Ctrl-C ends the JVM without unwinding this method: the generated input must go then too.
            Thread cleanup = new Thread(() -> {
                try {
                    scratch.close();
                } catch (IOException ignored) {
                    // the JVM is ending; nothing left to report to
                }
            }, "bench-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                return measure(scratch);
            } finally {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
        }
    }

    private BenchReport measure(ScratchDir scratch) throws Exception {
        Path file;
        BenchReport.Input input;
        if (settings.events() != null) {
            file = settings.events();
            input = inputOf(file);
            if (input.accounts() == 0) throw new NoEvents(file, input.events());
            progress.printf("Input: %s, %,d lines, %,d accounts%n", file, input.events(), input.accounts());
        } else {
            file = scratch.root().resolve("history.jsonl");
            progress.printf("Generating %,d events over %,d accounts and %d days (skew %s, seed %d) ...%n",
                    settings.eventsCount(), settings.accounts(), settings.days(), settings.skew(), settings.seed());
            long written = SyntheticHistory.write(file, settings.accounts(), settings.eventsCount(), settings.days(),
                    settings.skew(), settings.seed());
            input = new BenchReport.Input(null, written, settings.accounts(), settings.days(), settings.skew(), settings.seed());
            progress.printf("Input: %,d events generated (%,d MB)%n", written, Files.size(file) >> 20);
        }
        List<Variant> variants = variants(settings.backends(), settings.pipelines());
        if (!settings.flinkSettings().isEmpty()) progress.printf("Flink settings over the cluster's: %s%n", settings.flinkSettings());
        if (settings.rulesFile() != null) {
            progress.printf("Rules of the backtest and streaming pipelines: %s (version %s)%n", settings.rulesFile(), rules.version);
        }
        if (settings.accountCache() != io.churnradar.detect.EventOrdering.DEFAULT_ACCOUNT_CACHE) {
            progress.printf("Streaming with state.accountCache %,d%n", settings.accountCache());
        }
        List<List<Run>> runs = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) runs.add(new ArrayList<>());
        try (ThreadCpu threads = settings.cpuByThread() ? ThreadCpu.start(THREAD_SAMPLING) : null) {
            rounds(variants, runs, file, input, scratch, threads);
        }
        BenchReport.RunSettings measuredUnder = new BenchReport.RunSettings(settings.rulesFile() == null ? null : settings.rulesFile().toString(),
                rules.version, settings.flinkSettings(), settings.accountCache());
        return new BenchReport(BenchReport.Machine.current(), input, measuredUnder, settings.parallelism(), settings.runs(), settings.warmups(),
                variants, runs, busyAccountStateBytes());
    }

    /**
     * The warm-up rounds, then the measured ones. A warm-up round runs every pipeline once and counts nothing: the
     * first runs in a JVM spend most of their CPU compiling (a first backtest 8 CPU-seconds of JIT, a third 0.3), which
     * measures the compiler rather than the pipeline, and falls hardest on the pipelines with the most code.
     */
    private void rounds(List<Variant> variants, List<List<Run>> runs, Path file, BenchReport.Input input, ScratchDir scratch,
            ThreadCpu threads) throws Exception {
        for (int round = 1 - settings.warmups(); round <= settings.runs(); round++) {
            String name = round < 1
                    ? String.format("[warm-up %d/%d]", round + settings.warmups(), settings.warmups())
                    : String.format("[run %d/%d]", round, settings.runs());
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(i);
                // Whole lines: Flink's own warnings may come between the start and the end of a run.
                progress.printf("%s %s ...%n", name, v.label());
                Run r = runOnce(v, file, input.events(), scratch, threads);
                if (round >= 1) runs.get(i).add(r);
                progress.printf("%s %-20s %6.1f s, %6.1f CPU-s, %,9.0f events/CPU-s, peak heap %,d MB%s%n", name, v.label(),
                        r.wallSeconds(), r.cpuSeconds(), input.events() / r.cpuSeconds(), r.peakHeapBytes() >> 20,
                        round < 1 ? " (not counted)" : "");
                if (r.cpuByThread() != null) {
                    StringBuilder b = new StringBuilder();
                    r.cpuByThread().forEach((kind, secs) -> b.append(b.length() == 0 ? "" : ", ").append(kind).append(' ')
                            .append(String.format(Locale.ROOT, "%.1f", secs)));
                    progress.printf("%s %-20s CPU-s by thread: %s%n", name, v.label(), b);
                }
            }
        }
    }

    private Run runOnce(Variant v, Path file, long expectedLines, ScratchDir scratch, ThreadCpu threads) throws Exception {
        boolean checkpointing = v.pipeline().equals(STREAMING);
        // The backtest on its own terms (RocksDB with its timers in RocksDB); the others on the cluster's config.
        Configuration backend = v.pipeline().equals(BACKTEST)
                ? new io.churnradar.backtest.BacktestStateBackend.Decision(v.backend().equals("heap"), -1, "bench").applyTo(new Configuration())
                : BenchPipelines.backend(v.backend().equals("-") ? "heap" : v.backend());
        Path outDir = scratch.root().resolve("backtest-out");
        try (LocalFlink flink = LocalFlink.start(settings.flinkConf(), false, checkpointing, settings.parallelism())) {
            Configuration c = flink.configuration();
            c.addAll(backend);
            // --flink-setting: a lever measured without editing the cluster's config (say the timer store of RocksDB).
            settings.flinkSettings().forEach(c::setString);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            // Each run starts from a collected heap, with the peaks of the run before forgotten.
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
            Map<ThreadCpu.Kind, Double> threads0 = threads == null ? null : threads.now();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            BenchPipelines.Progress runProgress = new BenchPipelines.Progress(expectedLines, progress::println);
            BenchPipelines.Done done = flink.asContextEnvironment(() -> switch (v.pipeline()) {
                case CEILING -> BenchPipelines.ceiling(file, settings.parallelism(), c, runProgress);
                case FLINK_SQL -> BenchPipelines.flinkSql(file, settings.parallelism(), c, runProgress);
                case BACKTEST -> BenchPipelines.backtest(file, outDir, rules, settings.parallelism(), c, runProgress);
                case STREAMING -> BenchPipelines.streaming(file, rules, settings.parallelism(), c, settings.accountCache(), runProgress);
                default -> throw new IllegalArgumentException(v.pipeline());
            });
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            Map<String, Double> byThread = null;
            if (threads != null) {
                byThread = new LinkedHashMap<>();
                for (var e : ThreadCpu.between(threads0, threads.now()).entrySet()) byThread.put(e.getKey().label, e.getValue());
            }
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
            }
            // A pipeline that skipped part of the file would look fast for nothing.
            if (done.linesRead() != expectedLines) {
                throw new IllegalStateException(v.label() + " read " + done.linesRead() + " lines of " + expectedLines);
            }
            long checkpoint = checkpointing ? largestCheckpoint(flink.checkpointStats(done.job())) : -1;
            return new Run(cpu, wall, peakHeap, checkpoint, byThread);
        } finally {
            ScratchDir.deleteRecursively(outDir);
        }
    }

    /**
     * The full size of the largest completed checkpoint: the last one may be the final checkpoint of
     * finished tasks, which holds no keyed state.
     */
    private static long largestCheckpoint(CheckpointStatsSnapshot stats) {
        long max = -1;
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED) max = Math.max(max, c.getStateSize());
        }
        return max;
    }

    /** A given file without a line of our JSON Lines events: every pipeline would measure the reading of nothing. */
    public static final class NoEvents extends RuntimeException {
        NoEvents(Path file, long lines) {
            super(file + ": none of its " + String.format("%,d", lines) + " lines is an event of our JSON Lines (none names an"
                    + " accountId); ./churn-radar convert maps Stripe, Segment, Zendesk and survey payloads to them");
        }
    }

    private static final java.util.regex.Pattern ACCOUNT = java.util.regex.Pattern.compile("\"accountId\"\\s*:\\s*\"([^\"]*)\"");

    /** A given file's lines (every line counts as an event, as the backtest counts lines read) and distinct accounts. */
    private static BenchReport.Input inputOf(Path file) throws IOException {
        long n = 0;
        java.util.Set<String> accounts = new java.util.HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                n++;
                var m = ACCOUNT.matcher(line);
                if (m.find()) accounts.add(m.group(1));
            }
        }
        return new BenchReport.Input(file.toString(), n, accounts.size(), null, null, null);
    }

    /**
     * The serialized detection state of a busy account, as a checkpoint or RocksDB stores it: 30 days of
     * logins, usage and open tickets, a usage drop, open episodes.
     */
    static long busyAccountStateBytes() throws IOException {
        SignalEngine engine = new SignalEngine(Rules.defaults());
        AccountState s = new AccountState();
        long t = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
        for (int d = 0; d < 30; d++) {
            long day = t + d * SignalEngine.DAY_MS;
            engine.onEvent("acct-1", s, AccountEvent.login("l" + d, "acct-1", day + 3_600_000), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.usage("u" + d, "acct-1", day + 7_200_000, "reports", d < 20 ? 10 : 1), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.ticket("t" + d, "acct-1", day + 9_000_000, "t" + d, TicketStatus.OPENED), day, a -> {});
        }
        TypeSerializer<AccountState> ser = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        ser.serialize(s, out);
        return out.length();
    }
}
