package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.util.Map;

/**
 * PAYMENT_FAILED: raised HIGH at a failed payment, UPDATED to CRITICAL at the 3rd in a row, resolved
 * by a successful one. Keeps the failure streak (in event time) for the health score whether or not
 * the signal is on.
 */
final class PaymentFailedSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules.PaymentFailed p;

    PaymentFailedSignal(Rules rules) {
        this.p = rules.paymentFailed;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type != EventType.PAYMENT) return;
        if (e.paymentStatus == PaymentStatus.FAILED) {
            if (s.lastPaymentSuccessAt != NONE && e.eventTime <= s.lastPaymentSuccessAt) return; // settled since
            s.failureStreak++;
            s.lastPaymentFailureAt = Math.max(s.lastPaymentFailureAt, e.eventTime);
            if (!p.enabled) return;
            Map<String, String> ev = Evidence.map();
            ev.put("consecutiveFailures", Integer.toString(s.failureStreak));
            ev.put("invoiceId", String.valueOf(e.invoiceId));
            ev.put("amountMinor", Long.toString(e.amountMinor));
            ev.put("currency", String.valueOf(e.currency));
            if (e.failureCode != null) ev.put("failureCode", e.failureCode);
            boolean exhausted = s.failureStreak >= p.criticalAfterFailures;
            Severity severity = exhausted ? Severity.CRITICAL : p.severity;
            String why = exhausted
                    ? s.failureStreak + " payments failed in a row: dunning exhausted."
                    : "A payment failed (" + (e.failureCode == null ? "no code" : e.failureCode) + ").";
            // Dated at the newest failure: an older failure arriving out of order must not date an
            // escalation before the failure that raised the episode.
            emit.raiseOrEscalate(Signal.PAYMENT_FAILED, severity, s.lastPaymentFailureAt, ev, why);
        } else if (e.paymentStatus == PaymentStatus.SUCCEEDED) {
            if (s.lastPaymentSuccessAt != NONE && e.eventTime <= s.lastPaymentSuccessAt) return;
            s.lastPaymentSuccessAt = e.eventTime;
            if (s.lastPaymentFailureAt != NONE && e.eventTime < s.lastPaymentFailureAt) {
                s.failureStreak = 1; // a late success older than the newest failure: that failure still stands
                return;
            }
            s.failureStreak = 0;
            Map<String, String> ev = Evidence.map();
            ev.put("invoiceId", String.valueOf(e.invoiceId));
            emit.resolve(Signal.PAYMENT_FAILED, e.eventTime, ev, "A payment succeeded.");
        }
        // REFUNDED neither breaks nor extends a failure streak.
    }
}
