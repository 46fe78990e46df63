package io.churnradar.evolution;

import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.testing.ControlGroups;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The detector state that a released version leaves in its snapshots, so that later versions can
 * prove they restore it. {@code main} writes {@code snapshots/detector-<version>.snapshot}; run it
 * once per release whose state must stay readable, and keep the file.
 */
public final class DetectorSnapshots {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final long DAY = 86_400_000L;

    private DetectorSnapshots() {}

    /**
     * In arrival order: the versions that wrote these snapshots applied every event on arrival, and the
     * tests compare a restored run with one that never stopped event by event. Restoring into event-time
     * order is EventTimeOrderTest's.
     */
    static KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, io.churnradar.alerts.RiskAlert> harness() throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                ChurnPipeline.operator(new ChurnDetector(Rules.defaults(), Duration.ofDays(90), io.churnradar.detect.EventOrdering.arrival())), e -> e.accountId, Types.STRING,
                1, 1, 0);
        return h;
    }

    /**
     * Version 4 (events held in event-time order, the job's default then): a held event had a Flink timer of its own,
     * which a later version, releasing held accounts without one, must still honour.
     */
    static KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, io.churnradar.alerts.RiskAlert> harnessInEventTimeOrder() throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                ChurnPipeline.operator(new ChurnDetector(Rules.defaults(), Duration.ofDays(90), io.churnradar.detect.EventOrdering.defaults())),
                e -> e.accountId, Types.STRING, 1, 1, 0);
    }

    static long at(int day, int hour) {
        return T0.toEpochMilli() + day * DAY + hour * 3_600_000L;
    }

    /**
     * Ten days of history: acct-a logs in and uses the product daily; acct-b has an open
     * PAYMENT_FAILED episode (two failures) that a later SUCCEEDED payment must resolve.
     */
    static void feedHistory(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, ?> h) throws Exception {
        for (int d = 0; d < 10; d++) {
            for (String acct : new String[] {"acct-a", "acct-b"}) {
                h.processElement(AccountEvent.login(acct + "-l" + d, acct, at(d, 9)), at(d, 9));
                h.processElement(AccountEvent.usage(acct + "-u" + d, acct, at(d, 10), "reports", 5), at(d, 10));
            }
            if (d == 4 || d == 7) {
                h.processElement(AccountEvent.payment("acct-b-p" + d, "acct-b", at(d, 12), PaymentStatus.FAILED), at(d, 12));
            }
            h.processWatermark(at(d, 23));
        }
    }

    /** acct-c: treated by the dunning and card-expiring playbooks, so that its plays stay in progress at the snapshot. */
    static final String ACCT_C = ControlGroups.treated("acct-c", "dunning", "card-expiring");
    /** acct-d: held out of dunning, so that the snapshot has a held-out outcome entry. */
    static final String ACCT_D = ControlGroups.heldOut("acct-d", "dunning");

    /**
     * Version 3 (playbooks): the history of {@link #feedHistory} plus two accounts that fill every part
     * of the state. {@link #ACCT_C} has a subscription (plan, seats, MRR, renewal), a card expiring next
     * month, an NPS detractor answer, an open urgent ticket, several features and a failed payment whose
     * dunning play still has steps to come; {@link #ACCT_D} fails a payment while held out of dunning.
     */
    static void feedHistoryV3(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, ?> h) throws Exception {
        String c = ACCT_C;
        String d = ACCT_D;
        for (int day = 0; day < 10; day++) {
            for (String acct : new String[] {"acct-a", "acct-b"}) {
                h.processElement(AccountEvent.login(acct + "-l" + day, acct, at(day, 9)), at(day, 9));
                h.processElement(AccountEvent.usage(acct + "-u" + day, acct, at(day, 10), "reports", 5), at(day, 10));
            }
            if (day == 4 || day == 7) {
                h.processElement(AccountEvent.payment("acct-b-p" + day, "acct-b", at(day, 12), PaymentStatus.FAILED), at(day, 12));
            }
            if (day == 0) {
                AccountEvent started = AccountEvent.subscription(c + "-s0", c, at(0, 8), SubscriptionAction.STARTED);
                started.plan = "team";
                started.seats = 12;
                started.mrrMinor = 60_000L;
                started.renewalDate = "2026-04-20";
                h.processElement(started, at(0, 8));
                h.processElement(AccountEvent.subscription(d + "-s0", d, at(0, 8), SubscriptionAction.STARTED), at(0, 8));
            }
            h.processElement(AccountEvent.login(c + "-l" + day, c, at(day, 9)), at(day, 9));
            h.processElement(AccountEvent.usage(c + "-u" + day, c, at(day, 11), day % 2 == 0 ? "reports" : "dashboards", 2.5 + day),
                    at(day, 11));
            h.processElement(AccountEvent.usage(d + "-u" + day, d, at(day, 11), "reports", 1), at(day, 11));
            if (day == 2) {
                AccountEvent card = AccountEvent.payment(c + "-p2", c, at(2, 12), PaymentStatus.SUCCEEDED);
                card.cardExpiry = "2026-04";
                h.processElement(card, at(2, 12));
            }
            if (day == 3) {
                h.processElement(AccountEvent.feedback(c + "-f3", c, at(3, 13), SurveyType.NPS, 4), at(3, 13));
            }
            if (day == 5) {
                AccountEvent urgent = AccountEvent.ticket(c + "-t5", c, at(5, 14), "T-77", TicketStatus.OPENED);
                urgent.priority = TicketPriority.URGENT;
                h.processElement(urgent, at(5, 14));
            }
            if (day == 8) {
                h.processElement(AccountEvent.payment(c + "-p8", c, at(8, 12), PaymentStatus.FAILED), at(8, 12));
                h.processElement(AccountEvent.payment(d + "-p8", d, at(8, 12), PaymentStatus.FAILED), at(8, 12));
            }
            h.processWatermark(at(day, 23));
        }
    }

    /**
     * Version 4: the history of {@link #feedHistoryV3} in event-time order, and then three events ahead of the
     * watermark, held at the snapshot (acct-a's login, acct-c's failed payment, acct-d's usage), each with its timer.
     */
    static void feedHistoryV4(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, ?> h) throws Exception {
        feedHistoryV3(h);
        h.processElement(AccountEvent.login("acct-a-l10", "acct-a", at(10, 2)), at(10, 2));
        h.processElement(AccountEvent.payment(ACCT_C + "-p10f", ACCT_C, at(10, 3), PaymentStatus.FAILED), at(10, 3));
        h.processElement(AccountEvent.usage(ACCT_D + "-u10", ACCT_D, at(10, 4), "reports", 3), at(10, 4));
    }

    public static void main(String[] args) throws Exception {
        String version = args.length > 0 ? args[0] : "v1";
        try (var h = version.equals("v4") ? harnessInEventTimeOrder() : harness()) {
            h.setup();
            h.open();
            if (version.equals("v1")) feedHistory(h);
            else if (version.equals("v4")) feedHistoryV4(h);
            else feedHistoryV3(h);
            var snapshot = h.snapshot(1, at(10, 0));
            String file = "jobs/src/test/resources/snapshots/detector-" + version + ".snapshot";
            org.apache.flink.streaming.util.OperatorSnapshotUtil.writeStateHandle(snapshot, file);
            System.out.println("wrote " + file + " (" + h.extractOutputValues().size() + " alerts before the snapshot)");
        }
    }
}
