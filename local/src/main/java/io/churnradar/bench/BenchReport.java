package io.churnradar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one benchmark: per pipeline and backend, events per CPU-second of the process (median,
 * min, max over the runs), events per wall-clock second (median), the ratios of the medians to the
 * ceiling and to Flink SQL, peak heap, checkpoint size and state bytes per account; as a table and as JSON.
 */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Where it ran: figures mean little without the machine. */
    public record Machine(String os, String arch, int cores, String java, long maxHeapBytes, double loadAverage) {
        static Machine current() {
            var os = ManagementFactory.getOperatingSystemMXBean();
            return new Machine(System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " (" + collector() + ")",
                    Runtime.getRuntime().maxMemory(), os.getSystemLoadAverage());
        }

        /** The garbage collector, which moves CPU figures by 15 to 20% (the launcher picks it per command). */
        static String collector() {
            List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream().map(b -> b.getName()).toList();
            if (names.stream().anyMatch(n -> n.startsWith("PS "))) return "Parallel GC";
            if (names.stream().anyMatch(n -> n.startsWith("G1 "))) return "G1 GC";
            return names.isEmpty() ? "GC unknown" : String.join(", ", names);
        }
    }

    /** The input: a file given, or the generator's arguments (accounts null when the file was given and has no accounts). */
    public record Input(String file, long events, Integer accounts, Integer days, Double skew, Long seed) {}

    /**
     * What the runs were measured under besides the input and the machine: the rules file (null: the built-in defaults)
     * and its version, the Flink settings given over the cluster's, and the streaming pipeline's account cache. A
     * figure in the JSON then says which configuration it belongs to.
     */
    public record RunSettings(String rulesFile, String rulesVersion, Map<String, String> flinkSettings, int accountCache) {}

    /** The figures of one pipeline on one backend. Ratios are NaN when their reference did not run. */
    public record Row(Benchmark.Variant variant, double cpuMedian, double cpuMin, double cpuMax, double wallMedian,
            double toCeiling, double toFlinkSql, long peakHeapBytes, long checkpointBytes, long checkpointBytesPerAccount,
            long stateBytesPerAccount, List<Benchmark.Run> runs) {}

    public final Machine machine;
    public final Input input;
    public final RunSettings settings;
    public final int parallelism;
    public final int runs;
    /** Rounds run first and not counted (the compiler's warm-up). */
    public final int warmups;
    public final Instant finishedAt = Instant.now();
    public final List<Row> rows;

    BenchReport(Machine machine, Input input, RunSettings settings, int parallelism, int runs, int warmups, List<Benchmark.Variant> variants,
            List<List<Benchmark.Run>> measured, long busyAccountStateBytes) {
        this.machine = machine;
        this.input = input;
        this.settings = settings;
        this.parallelism = parallelism;
        this.runs = runs;
        this.warmups = warmups;
        double[] medians = new double[variants.size()];
        for (int i = 0; i < variants.size(); i++) medians[i] = median(perCpuSecond(measured.get(i)));
        double ceiling = Double.NaN;
        double sql = Double.NaN;
        for (int i = variants.size() - 1; i >= 0; i--) {
            Benchmark.Variant v = variants.get(i);
            if (v.pipeline().equals(Benchmark.CEILING)) ceiling = medians[i];
            // The plain-SQL reference is the heap backend's, RocksDB's when heap did not run.
            if (v.pipeline().equals(Benchmark.FLINK_SQL) && (Double.isNaN(sql) || v.backend().equals("heap"))) sql = medians[i];
        }
        List<Row> rs = new java.util.ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            Benchmark.Variant v = variants.get(i);
            List<Benchmark.Run> r = measured.get(i);
            double[] cpu = perCpuSecond(r);
            double[] wall = r.stream().mapToDouble(x -> input.events / x.wallSeconds()).toArray();
            long peak = r.stream().mapToLong(Benchmark.Run::peakHeapBytes).max().orElse(0);
            long checkpoint = r.stream().mapToLong(Benchmark.Run::checkpointBytes).max().orElse(-1);
            long perAccount = checkpoint > 0 && input.accounts != null && input.accounts > 0 ? checkpoint / input.accounts : -1;
            // The detector's serialized state of a busy account; the ceiling keeps none; SQL's state is the planner's own.
            long state = switch (v.pipeline()) {
                case Benchmark.CEILING -> 0;
                case Benchmark.BACKTEST, Benchmark.STREAMING -> busyAccountStateBytes;
                default -> -1;
            };
            rs.add(new Row(v, medians[i], Arrays.stream(cpu).min().orElse(0), Arrays.stream(cpu).max().orElse(0), median(wall),
                    medians[i] / ceiling, medians[i] / sql, peak, checkpoint, perAccount, state, List.copyOf(r)));
        }
        this.rows = List.copyOf(rs);
    }

    private double[] perCpuSecond(List<Benchmark.Run> runs) {
        return runs.stream().mapToDouble(r -> input.events / r.cpuSeconds()).toArray();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private String warmupsText() {
        return warmups == 0 ? "" : String.format(Locale.ROOT, " after %d warm-up round%s", warmups, warmups == 1 ? "" : "s");
    }

    /** The table the command prints (Markdown, so that the README can show it as it is). */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%,d events%s, parallelism %d, %d run%s each%s; %d cores, %s, max heap %,d MB, load average %.1f%n%n",
                input.events, input.file != null ? String.format(Locale.ROOT, " from %s (%,d accounts)", input.file, input.accounts)
                        : String.format(Locale.ROOT, " over %,d accounts and %d days (skew %s)", input.accounts, input.days, input.skew),
                parallelism, runs, runs == 1 ? "" : "s", warmupsText(), machine.cores, machine.java, machine.maxHeapBytes >> 20,
                machine.loadAverage));
        b.append("| pipeline | events/CPU-s median | min | max | events/s | x ceiling | x flink-sql | peak heap | checkpoint | checkpoint B/account | state B/account |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %,.0f | %,.0f | %s | %s | %,d MB | %s | %s | %s |%n",
                    r.variant.label(), r.cpuMedian, r.cpuMin, r.cpuMax, r.wallMedian, ratio(r.toCeiling), ratio(r.toFlinkSql),
                    r.peakHeapBytes >> 20, r.checkpointBytes < 0 ? "-" : String.format(Locale.ROOT, "%,.1f MB", r.checkpointBytes / 1048576.0),
                    r.checkpointBytesPerAccount < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.checkpointBytesPerAccount),
                    r.stateBytesPerAccount < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.stateBytesPerAccount)));
        }
        if (rows.stream().anyMatch(BenchReport::splitByThread)) b.append('\n').append(cpuByThreadTable());
        return b.toString();
    }

    /**
     * Each pipeline's CPU-seconds a run by kind of thread (--cpu-by-thread), the median of each kind over the runs, and its
     * operators' microseconds an event: what the pipeline's own work costs apart from its sources, the compiler and the collector.
     */
    String cpuByThreadTable() {
        StringBuilder b = new StringBuilder("CPU-seconds a run by thread (median of each over the runs):\n\n| pipeline |");
        for (ThreadCpu.Kind k : ThreadCpu.Kind.values()) b.append(' ').append(k.label).append(" |");
        b.append(" operators µs/event |\n|---|");
        b.append("---:|".repeat(ThreadCpu.Kind.values().length + 1)).append('\n');
        for (Row r : rows) {
            if (!splitByThread(r)) continue;
            b.append("| ").append(r.variant.label()).append(" |");
            double operators = Double.NaN;
            for (ThreadCpu.Kind k : ThreadCpu.Kind.values()) {
                double m = median(r.runs.stream().mapToDouble(x -> x.cpuByThread().getOrDefault(k.label, 0.0)).toArray());
                if (k == ThreadCpu.Kind.OPERATORS) operators = m;
                b.append(String.format(Locale.ROOT, " %.1f |", m));
            }
            b.append(String.format(Locale.ROOT, " %.2f |%n", operators * 1e6 / input.events));
        }
        return b.toString();
    }

    /** Whether the row's runs were measured with --cpu-by-thread. */
    private static boolean splitByThread(Row r) {
        return !r.runs.isEmpty() && r.runs.get(0).cpuByThread() != null;
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    public void writeJson(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("finishedAt", finishedAt.toString());
        root.set("machine", JSON.valueToTree(machine));
        root.set("input", JSON.valueToTree(input));
        root.set("settings", JSON.valueToTree(settings));
        root.put("parallelism", parallelism);
        root.put("runs", runs);
        root.put("warmups", warmups);
        ArrayNode pipelines = root.putArray("pipelines");
        for (Row r : rows) {
            ObjectNode n = pipelines.addObject();
            n.put("pipeline", r.variant.pipeline());
            n.put("backend", r.variant.backend());
            ObjectNode cpu = n.putObject("eventsPerCpuSecond");
            cpu.put("median", Math.round(r.cpuMedian));
            cpu.put("min", Math.round(r.cpuMin));
            cpu.put("max", Math.round(r.cpuMax));
            n.put("eventsPerSecond", Math.round(r.wallMedian));
            putRatio(n, "ratioToCeiling", r.toCeiling);
            putRatio(n, "ratioToFlinkSql", r.toFlinkSql);
            n.put("peakHeapBytes", r.peakHeapBytes);
            putPositive(n, "checkpointBytes", r.checkpointBytes);
            putPositive(n, "checkpointBytesPerAccount", r.checkpointBytesPerAccount);
            putPositive(n, "stateBytesPerAccount", r.stateBytesPerAccount);
            ArrayNode runs = n.putArray("runs");
            for (Benchmark.Run run : r.runs) runs.add(JSON.valueToTree(run));
        }
        JSON.writeValue(file.toFile(), root);
    }

    private static void putRatio(ObjectNode n, String name, double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) n.putNull(name);
        else n.put(name, Math.round(r * 1000) / 1000.0);
    }

    private static void putPositive(ObjectNode n, String name, long v) {
        if (v < 0) n.putNull(name);
        else n.put(name, v);
    }
}
