package io.churnradar.signals.subscription;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SubscriptionState;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * DOWNGRADE: a PLAN_CHANGED or SEATS_CHANGED that lowers MRR by 20% or more against the previous
 * known MRR. Raised at that event; UPDATED to HIGH when a later plan or seat change (of any size)
 * brings MRR 50% or more below the MRR before the episode; resolved when a later event brings MRR back to at least that MRR. Keeps the
 * latest MRR, plan and seats of any subscription event (in event time) whether or not the signal is on.
 */
public final class DowngradeSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;
    private static final double EPSILON = 1e-9;

    /** Rules block {@code signals.downgrade}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.DOWNGRADE, "downgrade",
                    List.of("dropRatio", "highDropRatio"), Settings.class, Settings::read)
            .evidence("previousMrrMinor", "mrrMinor", "dropPercent", "dropSinceEpisodeStartPercent", "action", "plan",
                    "previousPlan", "seats", "previousSeats", "mrrBeforeDowngrade");

    /** DOWNGRADE: a plan or seat change that cuts MRR by dropRatio or more; HIGH from highDropRatio. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final double dropRatio;
        public final double highDropRatio;

        public Settings(boolean enabled, Severity severity, double dropRatio, double highDropRatio) {
            this.enabled = enabled;
            this.severity = severity;
            this.dropRatio = dropRatio;
            this.highDropRatio = highDropRatio;
        }

        static Settings read(SettingsBlock b) {
            int before = b.problems();
            Settings s = new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.number("dropRatio", 0.20, 0.01, 1.0),
                    b.number("highDropRatio", 0.50, 0.01, 1.0));
            if (b.problems() == before && s.highDropRatio < s.dropRatio) {
                b.error("highDropRatio", "must be at least dropRatio (" + SettingsBlock.fmt(s.dropRatio) + "), got "
                        + SettingsBlock.fmt(s.highDropRatio));
            }
            return s;
        }
    }

    private final Settings r;

    public DowngradeSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.SUBSCRIPTION) return;
        long t = e.eventTime;
        SubscriptionState sub = s.subscription();
        if (sub.mrrSeenAt != NONE && t < sub.mrrSeenAt) return; // older than what we know
        long prev = sub.mrrMinor;
        String prevPlan = sub.plan;
        Integer prevSeats = sub.seats;
        if (e.plan != null) sub.plan = e.plan;
        if (e.seats != null) sub.seats = e.seats;
        // A cancellation's MRR of 0 (Stripe's subscription.deleted says so) is not a price: the account is out by its
        // cancellation already, and keeps the MRR it paid, which its win-back plays and a reactivation without an MRR need.
        if (e.mrrMinor == null || e.action == SubscriptionAction.CANCELED && e.mrrMinor == 0) return;
        long mrr = e.mrrMinor;
        sub.mrrMinor = mrr;
        sub.mrrSeenAt = t;
        if (!r.enabled) return;

        if (s.episode(Signal.DOWNGRADE) != null && sub.downgradeFromMrrMinor != NONE && mrr >= sub.downgradeFromMrrMinor) {
            Map<String, String> ev = Evidence.map();
            ev.put("mrrMinor", Long.toString(mrr));
            ev.put("mrrBeforeDowngrade", Long.toString(sub.downgradeFromMrrMinor));
            if (sub.plan != null) ev.put("plan", sub.plan);
            sub.downgradeFromMrrMinor = NONE;
            emit.resolve(Signal.DOWNGRADE, t, ev, "MRR is back to " + mrr + ".");
            return;
        }
        boolean change = e.action == SubscriptionAction.PLAN_CHANGED || e.action == SubscriptionAction.SEATS_CHANGED;
        if (!change || prev == NONE || prev <= 0 || mrr >= prev) return;
        boolean open = s.episode(Signal.DOWNGRADE) != null;
        double drop = 1 - (double) mrr / prev;
        if (!open && drop < r.dropRatio - EPSILON) return;

        long before = open && sub.downgradeFromMrrMinor != NONE ? sub.downgradeFromMrrMinor : prev;
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
        if (sub.plan != null) ev.put("plan", sub.plan);
        if (prevPlan != null && !prevPlan.equals(sub.plan)) ev.put("previousPlan", prevPlan);
        if (sub.seats != null) ev.put("seats", Integer.toString(sub.seats));
        if (prevSeats != null && !prevSeats.equals(sub.seats)) ev.put("previousSeats", Integer.toString(prevSeats));
        if (!open) sub.downgradeFromMrrMinor = prev;
        emit.raiseOrEscalate(Signal.DOWNGRADE, severity, t, ev, open
                ? "MRR fell " + ev.get("dropSinceEpisodeStartPercent") + "% since the downgrade began (" + mrr + " against " + before + ")."
                : "MRR fell " + ev.get("dropPercent") + "% (" + mrr + " against " + prev + ") with a "
                        + (e.action == SubscriptionAction.PLAN_CHANGED ? "plan" : "seat") + " change.");
    }
}
