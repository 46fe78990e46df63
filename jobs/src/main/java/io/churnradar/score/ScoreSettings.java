package io.churnradar.score;

import io.churnradar.config.Rules;
import io.churnradar.signals.card.CardExpiringSignal;
import io.churnradar.signals.inactivity.InactivitySignal;
import io.churnradar.signals.payment.PaymentFailedSignal;
import io.churnradar.signals.tickets.TicketSpikeSignal;
import io.churnradar.signals.tickets.UrgentTicketAgingSignal;
import io.churnradar.signals.usage.UsageDropSignal;
import java.io.Serializable;

/**
 * What the health score reads of the rules, looked up once: the score is evaluated after every event and at every
 * close and deadline, and looking each signal's settings up in the rules there took 5% of the detection threads of a
 * million accounts on RocksDB. The rules are immutable once validated, so nothing here goes stale.
 */
record ScoreSettings(
        Rules.Health health,
        UsageDropSignal.Settings usageDrop,
        InactivitySignal.Settings inactivity,
        TicketSpikeSignal.Settings ticketSpike,
        PaymentFailedSignal.Settings paymentFailed,
        UrgentTicketAgingSignal.Settings urgentTickets,
        CardExpiringSignal.Settings cardExpiring,
        double[] weights) implements Serializable {

    static ScoreSettings of(Rules rules) {
        Rules.Weights w = rules.health.weights;
        return new ScoreSettings(rules.health, rules.signal(UsageDropSignal.SPEC), rules.signal(InactivitySignal.SPEC),
                rules.signal(TicketSpikeSignal.SPEC), rules.signal(PaymentFailedSignal.SPEC),
                rules.signal(UrgentTicketAgingSignal.SPEC), rules.signal(CardExpiringSignal.SPEC),
                new double[] {w.usageTrend, w.loginRecency, w.featureBreadth, w.supportBurden, w.paymentHealth, w.sentiment});
    }
}
