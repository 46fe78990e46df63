package io.churnradar.signals.renewal;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SubscriptionState;
import io.churnradar.detect.state.EventTime;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.score.Health;
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
 * RENEWAL_AT_RISK: checked at each day close D: the renewal date is 0..60 days after the close (D+1)
 * and the health score at the close is below 50. Resolved at the first close where that no longer
 * holds (score recovered, renewal date passed or moved away), or at once by a RENEWED event or an
 * event that moves the renewal date out of range; a CANCELED subscription is CHURNED, not at risk.
 * The renewal date is the latest {@code renewalDate} of any subscription event, in event time; a
 * RENEWED event without one clears it.
 */
public final class RenewalAtRiskSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.renewalAtRisk}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.RENEWAL_AT_RISK, "renewalAtRisk",
                    List.of("withinDays", "belowScore"), Settings.class, Settings::read)
            .evidence("renewalDate", "daysToRenewal", "healthScore", "healthTier", "weakest", "action");

    /** RENEWAL_AT_RISK: the renewal is within withinDays and the health score is below belowScore. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int withinDays;
        public final int belowScore;

        public Settings(boolean enabled, Severity severity, int withinDays, int belowScore) {
            this.enabled = enabled;
            this.severity = severity;
            this.withinDays = withinDays;
            this.belowScore = belowScore;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.HIGH), b.integer("withinDays", 60, 1, 366),
                    b.integer("belowScore", 50, 1, 100));
        }
    }

    private final Settings r;

    public RenewalAtRiskSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.SUBSCRIPTION) return;
        long t = e.eventTime;
        SubscriptionState sub = s.subscription();
        if (sub.renewalSeenAt != NONE && t < sub.renewalSeenAt) return;
        boolean renewed = e.action == SubscriptionAction.RENEWED;
        if (e.renewalDate != null) {
            sub.renewalDay = LocalDate.parse(e.renewalDate).toEpochDay();
            sub.renewalSeenAt = t;
        } else if (renewed) {
            sub.renewalDay = NONE;
            sub.renewalSeenAt = t;
        }
        if (s.episode(Signal.RENEWAL_AT_RISK) == null) return;
        long day = EventTime.dayOf(t);
        if (renewed || sub.churnedAt != NONE || !inWindow(sub, day)) {
            Map<String, String> ev = Evidence.map();
            if (sub.renewalDay != NONE) ev.put("renewalDate", LocalDate.ofEpochDay(sub.renewalDay).toString());
            ev.put("action", e.action.name());
            emit.resolve(Signal.RENEWAL_AT_RISK, t, ev, renewed ? "The subscription renewed."
                    : sub.churnedAt != NONE ? "The subscription was canceled." : "The renewal date moved out of range.");
        }
    }

    /** Whether the renewal falls within the horizon seen from the start of {@code day}. */
    private boolean inWindow(SubscriptionState sub, long day) {
        if (sub == null || sub.renewalDay == NONE || sub.churnedAt != NONE) return false;
        long days = sub.renewalDay - day;
        return days >= 0 && days <= r.withinDays;
    }

    @Override
    public long firstDayNeedingClose(AccountState s, long fromDay) {
        if (s.episode(Signal.RENEWAL_AT_RISK) != null) return fromDay;
        SubscriptionState sub = s.subscription;
        if (!r.enabled || sub == null || sub.renewalDay == NONE || sub.churnedAt != NONE) return NONE;
        long first = sub.renewalDay - r.withinDays - 1; // its close is the first moment within the horizon
        long last = sub.renewalDay - 1; // its close is the renewal day's start
        return fromDay > last ? NONE : Math.max(fromDay, first);
    }

    @Override
    public void onDayClose(AccountState s, long d, Alerting emit) {
        boolean open = s.episode(Signal.RENEWAL_AT_RISK) != null;
        SubscriptionState sub = s.subscription;
        boolean inWindow = r.enabled && inWindow(sub, d + 1);
        if (!open && !inWindow) return;
        long closeAt = EventTime.closeAt(d);
        Health h = emit.healthAt(closeAt);
        Map<String, String> ev = Evidence.map();
        if (sub != null && sub.renewalDay != NONE) {
            ev.put("renewalDate", LocalDate.ofEpochDay(sub.renewalDay).toString());
            ev.put("daysToRenewal", Long.toString(sub.renewalDay - (d + 1)));
        }
        ev.put("healthScore", Integer.toString(h.score()));
        ev.put("healthTier", h.tier().name());
        if (inWindow && h.score() < r.belowScore) {
            String weakest = h.weakest(2);
            if (!weakest.isEmpty()) ev.put("weakest", weakest);
            emit.raise(Signal.RENEWAL_AT_RISK, r.severity, closeAt, ev, "Renewal on " + ev.get("renewalDate") + " in "
                    + ev.get("daysToRenewal") + " days with health " + h.score() + " (" + h.tier() + ")"
                    + (weakest.isEmpty() ? "." : "; weakest: " + weakest + "."));
        } else if (open) {
            emit.resolve(Signal.RENEWAL_AT_RISK, closeAt, ev, !inWindow
                    ? "The renewal is no longer within " + r.withinDays + " days."
                    : "Health recovered to " + h.score() + ".");
        }
    }
}
