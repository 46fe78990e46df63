package io.churnradar.signals.subscription;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SubscriptionState;
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
 * CANCELLATION_REQUESTED (raised at CANCEL_REQUESTED) and CHURNED (raised at CANCELED, with the
 * reason). REACTIVATED resolves both; RENEWED resolves a cancellation request (it was withdrawn).
 * Lifecycle events apply in event-time order: one older than the latest applied changes nothing.
 */
public final class CancellationSignals implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.cancellationRequested}. */
    public static final SignalSpec<Switch> REQUESTED = SignalSpec.of(Signal.CANCELLATION_REQUESTED, "cancellationRequested",
                    List.of(), Switch.class, b -> Switch.read(b, Severity.HIGH))
            .evidence("reason", "plan", "mrrMinor", "renewalDate", "reactivatedAt", "renewedAt");
    /** Rules block {@code signals.churned}. */
    public static final SignalSpec<Switch> CHURNED = SignalSpec.of(Signal.CHURNED, "churned",
                    List.of(), Switch.class, b -> Switch.read(b, Severity.CRITICAL))
            .evidence("reason", "plan", "mrrMinor", "renewalDate", "reactivatedAt");

    /** A signal that is only switched on or off, at a severity (CANCELLATION_REQUESTED, CHURNED). */
    public static final class Switch implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;

        public Switch(boolean enabled, Severity severity) {
            this.enabled = enabled;
            this.severity = severity;
        }

        static Switch read(SettingsBlock b, Severity severity) {
            return new Switch(b.enabled(), b.severity(severity));
        }
    }

    private final Switch requested;
    private final Switch churned;

    public CancellationSignals(Rules rules) {
        this.requested = rules.signal(REQUESTED);
        this.churned = rules.signal(CHURNED);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.SUBSCRIPTION) return;
        switch (e.action) {
            case CANCEL_REQUESTED, CANCELED, REACTIVATED, RENEWED -> {}
            default -> {
                return;
            }
        }
        long t = e.eventTime;
        SubscriptionState sub = s.subscription();
        if (sub.lifecycleAt != NONE && t < sub.lifecycleAt) return;
        sub.lifecycleAt = t;
        Map<String, String> ev = Evidence.map();
        String reason = e.reason == null || e.reason.isBlank() ? null : e.reason;
        switch (e.action) {
            case CANCEL_REQUESTED -> {
                if (!requested.enabled) return;
                ev.put("reason", reason == null ? "unknown" : reason);
                putSubscription(sub, e, ev);
                emit.raise(Signal.CANCELLATION_REQUESTED, requested.severity, t, ev,
                        "The customer asked to cancel" + (reason == null ? "." : " (" + reason + ")."));
            }
            case CANCELED -> {
                sub.churnedAt = t;
                if (!churned.enabled) return;
                ev.put("reason", reason == null ? "unknown" : reason);
                putSubscription(sub, e, ev);
                emit.raise(Signal.CHURNED, churned.severity, t, ev,
                        "The subscription was canceled" + (reason == null ? "." : " (" + reason + ")."));
            }
            case REACTIVATED -> {
                sub.churnedAt = NONE;
                for (Signal signal : new Signal[] {Signal.CANCELLATION_REQUESTED, Signal.CHURNED}) {
                    Map<String, String> back = Evidence.map();
                    back.put("reactivatedAt", Evidence.iso(t));
                    if (e.plan != null) back.put("plan", e.plan);
                    emit.resolve(signal, t, back, "The subscription was reactivated.");
                }
            }
            case RENEWED -> {
                ev.put("renewedAt", Evidence.iso(t));
                emit.resolve(Signal.CANCELLATION_REQUESTED, t, ev, "The subscription renewed: the cancellation was withdrawn.");
            }
            default -> {}
        }
    }

    /** Plan and MRR as they stood before this event (the MRR that is at stake). */
    private static void putSubscription(SubscriptionState sub, AccountEvent e, Map<String, String> ev) {
        String plan = e.plan != null ? e.plan : sub.plan;
        if (plan != null) ev.put("plan", plan);
        if (sub.mrrMinor != NONE) ev.put("mrrMinor", Long.toString(sub.mrrMinor));
        if (sub.renewalDay != NONE) ev.put("renewalDate", java.time.LocalDate.ofEpochDay(sub.renewalDay).toString());
    }
}
