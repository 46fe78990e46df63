package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.util.Map;

/**
 * CANCELLATION_REQUESTED (raised at CANCEL_REQUESTED) and CHURNED (raised at CANCELED, with the
 * reason). REACTIVATED resolves both; RENEWED resolves a cancellation request (it was withdrawn).
 * Lifecycle events apply in event-time order: one older than the latest applied changes nothing.
 */
final class CancellationSignals implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules.Switch requested;
    private final Rules.Switch churned;

    CancellationSignals(Rules rules) {
        this.requested = rules.cancellationRequested;
        this.churned = rules.churned;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
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
