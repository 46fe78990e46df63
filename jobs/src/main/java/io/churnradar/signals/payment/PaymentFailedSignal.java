package io.churnradar.signals.payment;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.events.PaymentStatus;
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
 * PAYMENT_FAILED: raised HIGH at a failed payment, UPDATED to CRITICAL at the 3rd in a row, resolved
 * by a successful one. Keeps the failure streak (in event time) for the health score whether or not
 * the signal is on.
 */
public final class PaymentFailedSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.paymentFailed}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.PAYMENT_FAILED, "paymentFailed",
                    List.of("criticalAfterFailures"), Settings.class, Settings::read)
            .evidence("consecutiveFailures", "invoiceId", "amountMinor", "currency", "failureCode");

    /** PAYMENT_FAILED: a failed payment; CRITICAL once dunning is exhausted. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int criticalAfterFailures;

        public Settings(boolean enabled, Severity severity, int criticalAfterFailures) {
            this.enabled = enabled;
            this.severity = severity;
            this.criticalAfterFailures = criticalAfterFailures;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.HIGH), b.integer("criticalAfterFailures", 3, 1, 100));
        }
    }

    private final Settings p;

    public PaymentFailedSignal(Rules rules) {
        this.p = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
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
