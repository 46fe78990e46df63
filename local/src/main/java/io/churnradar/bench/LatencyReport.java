package io.churnradar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The figures of {@code bench --latency}: per step, the event-to-alert latency percentiles; as a table and as JSON. */
public final class LatencyReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How the maximum was measured: the burst, the producer's rate and the job's. {@code lowerBound}: see LatencyBenchmark#probe. */
    public record Probe(long events, double producedPerSecond, double eventsPerSecond, boolean lowerBound) {}

    /** Latencies in microseconds; -1 when nothing was recorded. */
    public record Percentiles(long count, long p50Micros, long p99Micros, long p999Micros, long maxMicros) {
        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) return new Percentiles(0, -1, -1, -1, -1);
            return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue());
        }
    }

    /**
     * One step. {@code triggers}: alerts expected; {@code committed}: their latencies read committed (the
     * missing ones are {@code triggers - committed.count}); {@code uncommitted}: read as the sink wrote them.
     */
    public record StepResult(double fraction, double targetRate, long events, double achievedRate, long triggers,
            Percentiles committed, Percentiles uncommitted, long duplicates) {
        public long missing() {
            return triggers - committed.count();
        }
    }

    public final BenchReport.Machine machine;
    public final io.churnradar.config.JobSettings.Delivery delivery;
    public final io.churnradar.detect.EventOrdering.Order order;
    public final Duration maxOutOfOrderness;
    public final int accounts;
    public final double alertShare;
    public final Duration checkpointInterval;
    public final double maxRate;
    public final Probe probe;
    public final Duration stepDuration;
    public final List<StepResult> steps;
    public final long otherAlerts;
    public final Instant finishedAt = Instant.now();

    LatencyReport(BenchReport.Machine machine, io.churnradar.config.JobSettings.Delivery delivery, io.churnradar.detect.EventOrdering.Order order,
            Duration maxOutOfOrderness, int accounts, double alertShare, Duration checkpointInterval, double maxRate, Probe probe,
            Duration stepDuration, List<StepResult> steps, long otherAlerts) {
        this.machine = machine;
        this.delivery = delivery;
        this.order = order;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.accounts = accounts;
        this.alertShare = alertShare;
        this.checkpointInterval = checkpointInterval;
        this.maxRate = maxRate;
        this.probe = probe;
        this.stepDuration = stepDuration;
        this.steps = List.copyOf(steps);
        this.otherAlerts = otherAlerts;
    }

    static String ms(long micros) {
        return micros < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", micros / 1000.0);
    }

    /** The table the command prints (Markdown, as the throughput table). */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Event-to-alert latency, %s (checkpoints every %,d ms), %s order (bound %,d ms), %,d accounts,"
                        + " %.0f%% of events trigger an alert (PAYMENT_FAILED raised or resolved); maximum %,.0f events/s (%s); %d s per step;"
                        + " %d cores, %s, load average %.1f%n%n",
                delivery.id, checkpointInterval.toMillis(), order.id, maxOutOfOrderness.toMillis(), accounts, alertShare * 100, maxRate,
                probe == null ? "given" : probe.lowerBound ? "measured, lower bound" : "measured", stepDuration.toSeconds(),
                machine.cores(), machine.java(), machine.loadAverage()));
        b.append("| step | events/s | events | alerts | read committed | p50 ms | p99 ms | p99.9 ms | max ms | missing"
                + " | uncommitted p50 ms | p99 ms | p99.9 ms |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (StepResult s : steps) {
            b.append(String.format(Locale.ROOT, "| %.0f%% | %,.0f | %,d | %,d | %,d | %s | %s | %s | %s | %,d | %s | %s | %s |%n",
                    s.fraction * 100, s.achievedRate, s.events, s.triggers, s.committed.count(), ms(s.committed.p50Micros()),
                    ms(s.committed.p99Micros()), ms(s.committed.p999Micros()), ms(s.committed.maxMicros()), s.missing(),
                    ms(s.uncommitted.p50Micros()), ms(s.uncommitted.p99Micros()), ms(s.uncommitted.p999Micros())));
        }
        return b.toString();
    }

    public void writeJson(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("finishedAt", finishedAt.toString());
        root.set("machine", JSON.valueToTree(machine));
        root.put("deliveryGuarantee", delivery.id);
        root.put("order", order.id);
        root.put("maxOutOfOrdernessMs", maxOutOfOrderness.toMillis());
        root.put("checkpointIntervalMs", checkpointInterval.toMillis());
        root.put("accounts", accounts);
        root.put("alertShare", alertShare);
        root.put("maxEventsPerSecond", Math.round(maxRate));
        if (probe == null) root.putNull("probe");
        else root.set("probe", JSON.valueToTree(probe));
        root.put("stepSeconds", stepDuration.toSeconds());
        root.put("otherAlerts", otherAlerts);
        ArrayNode arr = root.putArray("steps");
        for (StepResult s : steps) {
            ObjectNode n = arr.addObject();
            n.put("fraction", s.fraction);
            n.put("targetEventsPerSecond", Math.round(s.targetRate));
            n.put("eventsPerSecond", Math.round(s.achievedRate));
            n.put("events", s.events);
            n.put("alertsExpected", s.triggers);
            n.put("missing", s.missing());
            n.put("duplicates", s.duplicates);
            n.set("readCommitted", percentiles(s.committed));
            n.set("readUncommitted", percentiles(s.uncommitted));
        }
        JSON.writeValue(file.toFile(), root);
    }

    private static ObjectNode percentiles(Percentiles p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("count", p.count());
        put(n, "p50Ms", p.p50Micros());
        put(n, "p99Ms", p.p99Micros());
        put(n, "p999Ms", p.p999Micros());
        put(n, "maxMs", p.maxMicros());
        return n;
    }

    private static void put(ObjectNode n, String name, long micros) {
        if (micros < 0) n.putNull(name);
        else n.put(name, Math.round(micros / 100.0) / 10.0);
    }
}
