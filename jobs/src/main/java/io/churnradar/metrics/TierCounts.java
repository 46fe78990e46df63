package io.churnradar.metrics;

import io.churnradar.alerts.HealthTier;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Accounts per health tier on one subtask, as gauges {@code accountsByTier{tier=...}}: moved by each
 * account's tier changes and kept in operator state, so the counts survive restarts; on a rescale the
 * entries are split among the subtasks and their sum (what a dashboard shows) stays right. Accounts
 * forgotten by the state TTL are not subtracted: after a long quiet period the counts run high.
 */
public final class TierCounts {
    private final Map<HealthTier, long[]> counts = new EnumMap<>(HealthTier.class);

    public TierCounts() {
        for (HealthTier t : HealthTier.values()) counts.put(t, new long[1]);
    }

    public void register(MetricGroup group) {
        for (HealthTier t : HealthTier.values()) {
            long[] c = counts.get(t);
            group.addGroup("tier", t.name()).gauge("accountsByTier", (Gauge<Long>) () -> c[0]);
        }
    }

    /** An account moved from one tier (null: it had none yet) to another. */
    public void move(HealthTier from, HealthTier to) {
        if (from == to) return;
        if (from != null) counts.get(from)[0]--;
        if (to != null) counts.get(to)[0]++;
    }

    /** The counts as state entries. */
    public List<TierCount> snapshot() {
        List<TierCount> out = new ArrayList<>();
        counts.forEach((t, c) -> out.add(new TierCount(t.name(), c[0])));
        return out;
    }

    /** Adds entries restored from state (this subtask's share after a rescale). */
    public void restore(Iterable<TierCount> entries) {
        for (TierCount e : entries) {
            try {
                counts.get(HealthTier.valueOf(e.tier))[0] += e.count;
            } catch (IllegalArgumentException unknownTier) {
                // A tier this version no longer has: nothing to show it under.
            }
        }
    }

    /** One tier's count in operator state (a POJO). */
    public static class TierCount {
        public String tier;
        public long count;

        public TierCount() {}

        public TierCount(String tier, long count) {
            this.tier = tier;
            this.count = count;
        }
    }
}
