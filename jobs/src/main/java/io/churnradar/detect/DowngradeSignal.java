package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import java.util.Map;

/**
 * DOWNGRADE: a PLAN_CHANGED or SEATS_CHANGED that lowers MRR by 20% or more against the previous
 * known MRR. Raised at that event; UPDATED to HIGH when a later plan or seat change (of any size)
 * brings MRR 50% or more below the MRR before the episode; resolved when a later event brings MRR back to at least that MRR. Keeps the
 * latest MRR, plan and seats of any subscription event (in event time) whether or not the signal is on.
 */
final class DowngradeSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;
    private static final double EPSILON = 1e-9;

    private final Rules.Downgrade r;

    DowngradeSignal(Rules rules) {
        this.r = rules.downgrade;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type != EventType.SUBSCRIPTION) return;
        long t = e.eventTime;
        if (s.mrrSeenAt != NONE && t < s.mrrSeenAt) return; // older than what we know
        long prev = s.mrrMinor;
        String prevPlan = s.plan;
        Integer prevSeats = s.seats;
        if (e.plan != null) s.plan = e.plan;
        if (e.seats != null) s.seats = e.seats;
        if (e.mrrMinor == null) return;
        long mrr = e.mrrMinor;
        s.mrrMinor = mrr;
        s.mrrSeenAt = t;
        if (!r.enabled) return;

        if (s.episode(Signal.DOWNGRADE) != null && s.downgradeFromMrrMinor != NONE && mrr >= s.downgradeFromMrrMinor) {
            Map<String, String> ev = Evidence.map();
            ev.put("mrrMinor", Long.toString(mrr));
            ev.put("mrrBeforeDowngrade", Long.toString(s.downgradeFromMrrMinor));
            if (s.plan != null) ev.put("plan", s.plan);
            s.downgradeFromMrrMinor = NONE;
            emit.resolve(Signal.DOWNGRADE, t, ev, "MRR is back to " + mrr + ".");
            return;
        }
        boolean change = e.action == SubscriptionAction.PLAN_CHANGED || e.action == SubscriptionAction.SEATS_CHANGED;
        if (!change || prev == NONE || prev <= 0 || mrr >= prev) return;
        boolean open = s.episode(Signal.DOWNGRADE) != null;
        double drop = 1 - (double) mrr / prev;
        if (!open && drop < r.dropRatio - EPSILON) return;

        long before = open && s.downgradeFromMrrMinor != NONE ? s.downgradeFromMrrMinor : prev;
        double totalDrop = 1 - (double) mrr / before;
        Severity severity = totalDrop >= r.highDropRatio - EPSILON && r.severity.ordinal() < Severity.HIGH.ordinal()
                ? Severity.HIGH : r.severity;
        if (open && severity == s.episode(Signal.DOWNGRADE).severity) return; // a further cut, no new severity
        Map<String, String> ev = Evidence.map();
        ev.put("previousMrrMinor", Long.toString(prev));
        ev.put("mrrMinor", Long.toString(mrr));
        ev.put("dropPercent", Evidence.percent(drop));
        if (open) ev.put("dropSinceEpisodeStartPercent", Evidence.percent(totalDrop));
        ev.put("action", e.action.name());
        if (s.plan != null) ev.put("plan", s.plan);
        if (prevPlan != null && !prevPlan.equals(s.plan)) ev.put("previousPlan", prevPlan);
        if (s.seats != null) ev.put("seats", Integer.toString(s.seats));
        if (prevSeats != null && !prevSeats.equals(s.seats)) ev.put("previousSeats", Integer.toString(prevSeats));
        if (!open) s.downgradeFromMrrMinor = prev;
        emit.raiseOrEscalate(Signal.DOWNGRADE, severity, t, ev, open
                ? "MRR fell " + ev.get("dropSinceEpisodeStartPercent") + "% since the downgrade began (" + mrr + " against " + before + ")."
                : "MRR fell " + ev.get("dropPercent") + "% (" + mrr + " against " + prev + ") at a "
                        + e.action.name().toLowerCase().replace('_', ' ') + ".");
    }
}
