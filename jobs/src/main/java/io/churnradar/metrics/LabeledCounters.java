package io.churnradar.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counters of one metric name split by label values (Flink's key/value groups, which the Prometheus
 * reporter turns into labels), created on first use. The values come from a bounded set (signals,
 * actions, event types, dead-letter reasons); past {@link #MAX_SERIES} series a new combination counts
 * under the label value {@code other}, so a flood of odd input cannot grow the metrics without bound.
 */
public final class LabeledCounters {
    public static final int MAX_SERIES = 64;
    public static final String OTHER = "other";

    private final MetricGroup group;
    private final String name;
    private final String[] labels;
    private final Map<String, Counter> counters = new HashMap<>();

    public LabeledCounters(MetricGroup group, String name, String... labels) {
        this.group = group;
        this.name = name;
        this.labels = labels;
    }

    /** Counts one, under these label values (one per label, in order). */
    public void inc(String... values) {
        String key = values.length == 1 ? values[0] : String.join("\u0000", values); // one label: no allocation per call
        Counter c = counters.get(key);
        if (c == null) {
            String[] v = counters.size() < MAX_SERIES ? values : other(values.length);
            c = counters.computeIfAbsent(String.join("\u0000", v), k -> register(v));
            if (counters.size() < MAX_SERIES) counters.put(key, c);
        }
        c.inc();
    }

    private Counter register(String[] values) {
        MetricGroup g = group;
        for (int i = 0; i < labels.length; i++) g = g.addGroup(labels[i], values[i]);
        return g.counter(name);
    }

    private static String[] other(int n) {
        String[] v = new String[n];
        java.util.Arrays.fill(v, OTHER);
        return v;
    }

    /**
     * A dead letter's reason as a label: its words up to the first detail (a colon, quote or number),
     * lower case with underscores, e.g. "no account: ticket 7 has no organization" -> {@code no_account}.
     */
    public static String reasonLabel(String reason) {
        if (reason == null || reason.isBlank()) return "unknown";
        StringBuilder b = new StringBuilder();
        for (char ch : reason.toCharArray()) {
            if (ch == ':' || ch == '\'' || ch == '"' || ch == '(' || Character.isDigit(ch)) break;
            b.append(Character.isLetter(ch) ? Character.toLowerCase(ch) : '_');
            if (b.length() >= 40) break;
        }
        String label = b.toString().replaceAll("_+", "_").replaceAll("^_|_$", "");
        return label.isEmpty() ? "unknown" : label;
    }
}
