package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.time.LocalDate;
import java.util.Map;

/**
 * USAGE_DROP: at the close of day D, usage over D-6..D against D-13..D-7. Also keeps the day buckets
 * (usage and opened tickets) alive: while any is left, every day close is needed. Records both
 * windows at each close for the health score's usage trend.
 */
final class UsageDropSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;
    /** Tolerance of the drop-ratio comparison, so that a drop of exactly 30% counts as 30%. */
    private static final double EPSILON = 1e-9;

    private final Rules rules;

    UsageDropSignal(Rules rules) {
        this.rules = rules;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type == EventType.USAGE) {
            DayBuckets.addIfCovered(s, SignalEngine.dayOf(e.eventTime), e.quantity, 0, rules.lookbackDays());
        }
    }

    @Override
    public long firstDayNeedingClose(AccountState s, long fromDay) {
        return DayBuckets.isEmpty(s) ? NONE : fromDay;
    }

    @Override
    public void onDayClose(AccountState s, long d, Emitter emit) {
        long closeAt = SignalEngine.closeAt(d);
        Rules.UsageDrop u = rules.usageDrop;
        int n = u.windowDays;
        double cur = DayBuckets.usage(s, d - n + 1, d);
        double prev = DayBuckets.usage(s, d - 2L * n + 1, d - n);
        s.trendDay = d;
        s.trendCurUsage = cur;
        s.trendPrevUsage = prev;
        if (!u.enabled || s.firstEventDay > d - (2L * n - 1) || prev < u.minBaseline) return;

        boolean dropped = cur <= prev * (1 - u.dropRatio) + EPSILON * Math.max(1, prev);
        if (dropped == (s.episode(Signal.USAGE_DROP) != null)) return; // nothing changes: no evidence to write
        Map<String, String> ev = Evidence.map();
        ev.put("cur", Evidence.num(cur));
        ev.put("prev", Evidence.num(prev));
        ev.put("dropPercent", Evidence.num(Math.round((1 - cur / prev) * 1000) / 10.0));
        ev.put("curWindow", LocalDate.ofEpochDay(d - n + 1) + ".." + LocalDate.ofEpochDay(d));
        ev.put("prevWindow", LocalDate.ofEpochDay(d - 2L * n + 1) + ".." + LocalDate.ofEpochDay(d - n));
        if (dropped) {
            emit.raise(Signal.USAGE_DROP, u.severity, closeAt, ev, String.format(
                    "Usage fell %s%% over the last %d days (%s against %s the %d days before).",
                    ev.get("dropPercent"), n, Evidence.num(cur), Evidence.num(prev), n));
        } else {
            emit.resolve(Signal.USAGE_DROP, closeAt, ev,
                    "Usage recovered to " + Evidence.num(cur) + " against " + Evidence.num(prev) + ".");
        }
    }
}
