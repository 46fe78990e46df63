package io.churnradar.signals.usage;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * USAGE_DROP: at the close of day D, usage over D-6..D against D-13..D-7. Records both windows at each
 * close for the health score's usage trend, and asks for the closes that can change them; the close of
 * the newest bucket's last day in the look-back drops the day buckets (usage and opened tickets).
 */
public final class UsageDropSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;
    /** Tolerance of the drop-ratio comparison, so that a drop of exactly 30% counts as 30%. */
    private static final double EPSILON = 1e-9;

    /** Rules block {@code signals.usageDrop}; the day buckets keep both windows. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.USAGE_DROP, "usageDrop",
                    List.of("windowDays", "minBaseline", "dropRatio"), Settings.class, Settings::read)
            .evidence("cur", "prev", "dropPercent", "curWindow", "prevWindow")
            .lookbackDays(u -> 2 * u.windowDays);

    /** USAGE_DROP: usage over the last window fell by dropRatio or more against the window before. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int windowDays;
        public final double minBaseline;
        public final double dropRatio;

        public Settings(boolean enabled, Severity severity, int windowDays, double minBaseline, double dropRatio) {
            this.enabled = enabled;
            this.severity = severity;
            this.windowDays = windowDays;
            this.minBaseline = minBaseline;
            this.dropRatio = dropRatio;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.HIGH), b.integer("windowDays", 7, 1, 90),
                    b.number("minBaseline", 10, 0, 1e15), b.number("dropRatio", 0.30, 0.01, 1.0));
        }
    }

    private final Settings u;
    /** Days the buckets keep back from a day close (the longest look-back of any rule). */
    private final int lookbackDays;

    public UsageDropSignal(Rules rules) {
        this.u = rules.signal(SPEC);
        this.lookbackDays = rules.lookbackDays();
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type == EventType.USAGE) {
            DayBuckets.addIfCovered(s, EventTime.dayOf(e.eventTime), e.quantity, 0, lookbackDays);
        }
    }

    /**
     * Only the closes that change what this family computes: the windows' sums and whether the baseline is full
     * are piecewise constant in D, so a close between their steps would find what the latest one found and
     * decide the same. The steps: a window at {@code fromDay} that differs from the latest close's (an event
     * since, late or not), a day of usage moving from the current window to the previous one or out of it, the
     * baseline becoming full, and the close that drops the buckets (the newest one's last day in the look-back).
     * On RocksDB every close is a timer, a read and a write of the account: a quiet account with one day of
     * usage needs three closes instead of one a day for two weeks.
     */
    @Override
    public long firstDayNeedingClose(AccountState s, long fromDay) {
        if (DayBuckets.isEmpty(s)) return NONE;
        int n = u.windowDays;
        if (s.trendDay == NONE || baselineFull(s, fromDay) != baselineFull(s, s.trendDay)
                || DayBuckets.usage(s, fromDay - n + 1, fromDay) != s.trendCurUsage
                || DayBuckets.usage(s, fromDay - 2L * n + 1, fromDay - n) != s.trendPrevUsage) {
            return fromDay;
        }
        long next = DayBuckets.newestDay(s) + lookbackDays - 1; // its close drops every bucket
        long full = s.firstEventDay + 2L * n - 1;
        if (full >= fromDay) next = Math.min(next, full);
        for (int i = 0; i < s.bucketDays.length; i++) {
            if (s.bucketUsage[i] == 0) continue;
            long toPrevious = s.bucketDays[i] + n;
            long out = toPrevious + n;
            if (toPrevious >= fromDay) next = Math.min(next, toPrevious);
            else if (out >= fromDay) next = Math.min(next, out);
        }
        return Math.max(next, fromDay);
    }

    private boolean baselineFull(AccountState s, long d) {
        return baselineFull(s, d, u.windowDays);
    }

    /**
     * Whether the close of day {@code d} has a full baseline: the account's first day at least 2n-1 days before it
     * ({@code n} the window). The health score's usage trend counts only where this rule judges.
     */
    public static boolean baselineFull(AccountState s, long d, int windowDays) {
        return s.firstEventDay != NONE && s.firstEventDay <= d - (2L * windowDays - 1);
    }

    @Override
    public void onDayClose(AccountState s, long d, Alerting emit) {
        long closeAt = EventTime.closeAt(d);
        int n = u.windowDays;
        double cur = DayBuckets.usage(s, d - n + 1, d);
        double prev = DayBuckets.usage(s, d - 2L * n + 1, d - n);
        s.trendDay = d;
        s.trendCurUsage = cur;
        s.trendPrevUsage = prev;
        if (!u.enabled || !baselineFull(s, d) || prev < u.minBaseline) return;

        boolean dropped = cur <= prev * (1 - u.dropRatio) + EPSILON * Math.max(1, prev);
        if (dropped == (s.episode(Signal.USAGE_DROP) != null)) return; // nothing changes: no evidence to write
        Map<String, String> ev = Evidence.map();
        ev.put("cur", Evidence.num(cur));
        ev.put("prev", Evidence.num(prev));
        ev.put("dropPercent", Evidence.num(Math.round((1 - cur / prev) * 1000) / 10.0));
        ev.put("curWindow", LocalDate.ofEpochDay(d - n + 1) + ".." + LocalDate.ofEpochDay(d));
        ev.put("prevWindow", LocalDate.ofEpochDay(d - 2L * n + 1) + ".." + LocalDate.ofEpochDay(d - n));
        if (dropped) {
            // Concatenated, not String.format: as many raises as closes that drop, and the same text in every locale.
            emit.raise(Signal.USAGE_DROP, u.severity, closeAt, ev, "Usage fell " + ev.get("dropPercent") + "% over the last " + n
                    + " days (" + Evidence.num(cur) + " against " + Evidence.num(prev) + " the " + n + " days before).");
        } else {
            emit.resolve(Signal.USAGE_DROP, closeAt, ev,
                    "Usage recovered to " + Evidence.num(cur) + " against " + Evidence.num(prev) + ".");
        }
    }
}
