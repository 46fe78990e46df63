package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.Severity;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.TicketStatus;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Four accounts, each with one planted churn pattern, plus "clock" accounts that tick on every
 * partition of every event topic until {@link #LAST_DAY}, so that the watermark (the minimum over all
 * partitions) passes every expected detection time before the bounded input ends. Day 0 is
 * 2026-03-02 (UTC); every time below is UTC.
 *
 * <pre>
 * acct-usage  usage 10/day on days 0-13, 2/day on days 14-20, 20/day from day 21
 *             -> USAGE_DROP RAISED at the close of day 16 (cur 46 over days 10-16, prev 70 over days 3-9)
 *             -> USAGE_DROP RESOLVED at the close of day 22 (cur 50 > 0.7 * prev 54)
 *             A duplicate of the day-10 usage is re-sent on day 12 (late): counted, it would lift cur to 56.
 * acct-quiet  logins on days 0 and 2 (08:00), then day 20 and every third day from there (10:00)
 *             -> INACTIVITY RAISED at day 2 08:00 + 14 days, RESOLVED at the day-20 login
 * acct-pay    payments SUCCEEDED day 1, FAILED days 5, 8, 11, SUCCEEDED day 13 (11:00); day 5 is sent twice
 *             -> PAYMENT_FAILED RAISED HIGH day 5, UPDATED CRITICAL day 11 (3rd failure), RESOLVED day 13
 *                (counting the duplicate would escalate on day 8)
 * acct-tix    tickets OPENED days 3, 4, 6 (10:00); day 4 is sent twice; the day-3 ticket RESOLVED on day 5
 *             -> TICKET_SPIKE RAISED day 6 10:00 (3 opened in days 0-6), RESOLVED at the close of day 10
 *                (days 4-10 hold 2); counting the duplicate would raise on day 4
 * </pre>
 */
final class PlantedSignals {
    static final int LAST_DAY = 44;
    static final String USAGE = "acct-usage";
    static final String QUIET = "acct-quiet";
    static final String PAY = "acct-pay";
    static final String TIX = "acct-tix";

    final Scenario scenario = new Scenario();
    /** Malformed records, each expected once on the dead-letter topic. */
    final Scenario.Planned garbage;
    final Scenario.Planned wrongType;
    final Scenario.Planned negativeQuantity;
    final Scenario.Planned tombstone;

    /** @param partitions partitions of each event topic: a clock account ticks on each */
    PlantedSignals(int partitions) {
        Scenario s = scenario;
        for (int d = 0; d <= LAST_DAY; d++) {
            for (int p = 0; p < partitions; p++) {
                String clock = "clock-" + p;
                String id = clock + "-d" + d;
                s.login(clock, id + "-login", at(d, 12), p);
                s.usage(clock, id + "-usage", at(d, 12), "ping", 1, p);
                s.ticket(clock, id + "-ticket", at(d, 12), clock + "-t", TicketStatus.UPDATED, p);
                s.payment(clock, id + "-pay", at(d, 12), PaymentStatus.SUCCEEDED, null, p);
            }
        }

        UsageEvent day10 = null;
        for (int d = 0; d <= LAST_DAY; d++) {
            double q = d <= 13 ? 10 : d <= 20 ? 2 : 20;
            UsageEvent u = s.usage(USAGE, "u-" + d, at(d, 9), d % 2 == 0 ? "reports" : "exports", q, null);
            if (d == 10) day10 = u;
        }
        s.resend(day10, at(12, 9, 30), "late duplicate of acct-usage day 10");

        s.login(QUIET, "l-0", at(0, 8), null);
        s.login(QUIET, "l-2", at(2, 8), null);
        for (int d = 20; d <= LAST_DAY; d += 3) s.login(QUIET, "l-" + d, at(d, 10), null);

        s.payment(PAY, "p-1", at(1, 11), PaymentStatus.SUCCEEDED, null, null);
        PaymentEvent failed5 = s.payment(PAY, "p-5", at(5, 11), PaymentStatus.FAILED, "card_declined", null);
        s.resend(failed5, at(5, 11), "duplicate of acct-pay day-5 failure");
        s.payment(PAY, "p-8", at(8, 11), PaymentStatus.FAILED, "insufficient_funds", null);
        s.payment(PAY, "p-11", at(11, 11), PaymentStatus.FAILED, "card_declined", null);
        s.payment(PAY, "p-13", at(13, 11), PaymentStatus.SUCCEEDED, null, null);

        s.ticket(TIX, "t-3", at(3, 10), "T-1", TicketStatus.OPENED, null);
        SupportTicketEvent opened4 = s.ticket(TIX, "t-4", at(4, 10), "T-2", TicketStatus.OPENED, null);
        s.resend(opened4, at(4, 10, 5), "duplicate of acct-tix day-4 ticket");
        s.ticket(TIX, "t-5", at(5, 10), "T-1", TicketStatus.RESOLVED, null);
        s.ticket(TIX, "t-6", at(6, 10), "T-3", TicketStatus.OPENED, null);

        garbage = s.raw(EventType.USAGE, USAGE, "not avro at all \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1),
                at(3, 9, 30), "garbage bytes");
        LoginEvent login = LoginEvent.newBuilder().setEventId("l-wrong").setAccountId(PAY).setEventTime(at(4, 11)).build();
        wrongType = s.raw(EventType.PAYMENT, PAY, io.churnradar.ingest.AvroEvents.encode(login), at(4, 11),
                "a login event on the payment topic");
        UsageEvent negative = UsageEvent.newBuilder().setEventId("u-neg").setAccountId(USAGE).setEventTime(at(6, 9, 30))
                .setFeature("reports").setQuantity(-5).build();
        negativeQuantity = s.raw(EventType.USAGE, USAGE, io.churnradar.ingest.AvroEvents.encode(negative), at(6, 9, 30),
                "usage with a negative quantity");
        tombstone = s.raw(EventType.LOGIN, QUIET, null, at(7, 8), "tombstone");
    }

    List<Scenario.Planned> malformed() {
        return List.of(garbage, wrongType, negativeQuantity, tombstone);
    }

    /** An alert as the tests compare it. */
    record Expected(String accountId, String signal, AlertStatus status, Severity severity, Instant detectedAt) {
        @Override
        public String toString() {
            return accountId + " " + signal + " " + status + " " + severity + " @" + detectedAt;
        }
    }

    /** Every alert the planted patterns must produce, each exactly once; the clock accounts produce none. */
    static List<Expected> expectedAlerts() {
        return List.of(
                new Expected(PAY, "PAYMENT_FAILED", AlertStatus.RAISED, Severity.HIGH, at(5, 11)),
                new Expected(TIX, "TICKET_SPIKE", AlertStatus.RAISED, Severity.MEDIUM, at(6, 10)),
                new Expected(PAY, "PAYMENT_FAILED", AlertStatus.UPDATED, Severity.CRITICAL, at(11, 11)),
                new Expected(TIX, "TICKET_SPIKE", AlertStatus.RESOLVED, Severity.MEDIUM, at(11, 0)),
                new Expected(PAY, "PAYMENT_FAILED", AlertStatus.RESOLVED, Severity.CRITICAL, at(13, 11)),
                new Expected(QUIET, "INACTIVITY", AlertStatus.RAISED, Severity.MEDIUM, at(16, 8)),
                new Expected(USAGE, "USAGE_DROP", AlertStatus.RAISED, Severity.HIGH, at(17, 0)),
                new Expected(QUIET, "INACTIVITY", AlertStatus.RESOLVED, Severity.MEDIUM, at(20, 10)),
                new Expected(USAGE, "USAGE_DROP", AlertStatus.RESOLVED, Severity.HIGH, at(23, 0)));
    }
}
