package io.churnradar.cluster;

import io.churnradar.events.FeedbackEvent;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventJson;
import io.churnradar.ingest.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * A planted history of about {@code events} events: groups of four accounts, each group the patterns of
 * io.churnradar.kafka.PlantedSignals (a usage drop and recovery, an inactivity gap, failed payments up to
 * CRITICAL and back, a ticket spike, each with re-sent duplicates), shifted by up to 7 days per group, plus
 * "clock" accounts that tick on every partition of every event topic every day up to {@link #lastTickDay},
 * so that the watermark passes every planted detection. A few malformed records go to the dead-letter topic.
 * The expected alerts and commands are not written down here: the backtest of the same events computes them.
 */
final class ClusterHistory {
    static final Instant DAY0 = Instant.parse("2026-03-02T00:00:00Z");
    private static final int PATTERN_DAYS = 44;
    private static final int MAX_SHIFT = 7;
    private static final int CLOCK_HOUR = 12;

    /** One record to produce: an event, or a malformed value ({@code event} null). */
    record Rec(long sendAt, int seq, EventType type, String key, Integer partition, SpecificRecord event, byte[] value, long timestamp) {}

    final int partitions;
    final int groups;
    final int lastTickDay = PATTERN_DAYS + MAX_SHIFT + 1;
    private final List<Rec> records = new ArrayList<>();
    int malformed;

    ClusterHistory(int events, int partitions) {
        this.partitions = partitions;
        int clockEvents = 6 * partitions * (lastTickDay + 1);
        this.groups = Math.max(1, (events - clockEvents) / 68);
        for (int d = 0; d <= lastTickDay; d++) {
            for (int p = 0; p < partitions; p++) {
                String clock = "clock-" + p;
                String id = clock + "-d" + d;
                Instant t = at(d, CLOCK_HOUR, 0);
                login(clock, id + "-login", t, p);
                usage(clock, id + "-usage", t, "ping", 1, p);
                ticket(clock, id + "-ticket", t, clock + "-t", TicketStatus.UPDATED, p);
                payment(clock, id + "-pay", t, PaymentStatus.SUCCEEDED, null, p);
                // Every partition of every topic ticks: none is ever idle, so the production idleness (1 min) can
                // stay and a partition lagging after a recovery never lets the watermark run ahead of its events.
                add(t, EventType.FEEDBACK, clock, p, FeedbackEvent.newBuilder().setEventId(id + "-nps").setAccountId(clock)
                        .setEventTime(t).setUserId("u-" + clock).setSurvey(SurveyType.NPS).setScore(10).build());
                add(t, EventType.SUBSCRIPTION, clock, p, SubscriptionEvent.newBuilder().setEventId(id + "-renewed").setAccountId(clock)
                        .setEventTime(t).setUserId("u-" + clock).setAction(SubscriptionAction.RENEWED).setPlan("pro")
                        .setMrrMinor(9900L).setSeats(5).build());
            }
        }
        for (int g = 0; g < groups; g++) group(g, g % (MAX_SHIFT + 1));
    }

    private void group(int g, int shift) {
        String usage = "acct-usage-" + g;
        String quiet = "acct-quiet-" + g;
        String pay = "acct-pay-" + g;
        String tix = "acct-tix-" + g;
        UsageEvent day10 = null;
        for (int d = 0; d <= PATTERN_DAYS; d++) {
            double q = d <= 13 ? 10 : d <= 20 ? 2 : 20;
            UsageEvent u = usage(usage, "u-" + g + "-" + d, at(d + shift, 9, 0), d % 2 == 0 ? "reports" : "exports", q, null);
            if (d == 10) day10 = u;
        }
        resend(day10, at(12 + shift, 9, 30)); // a late duplicate: counted, it would change the usage windows

        login(quiet, "l-" + g + "-0", at(shift, 8, 0), null);
        login(quiet, "l-" + g + "-2", at(2 + shift, 8, 0), null);
        for (int d = 20; d <= PATTERN_DAYS; d += 3) login(quiet, "l-" + g + "-" + d, at(d + shift, 10, 0), null);

        payment(pay, "p-" + g + "-1", at(1 + shift, 11, 0), PaymentStatus.SUCCEEDED, null, null);
        PaymentEvent failed5 = payment(pay, "p-" + g + "-5", at(5 + shift, 11, 0), PaymentStatus.FAILED, "card_declined", null);
        resend(failed5, at(5 + shift, 11, 0));
        payment(pay, "p-" + g + "-8", at(8 + shift, 11, 0), PaymentStatus.FAILED, "insufficient_funds", null);
        payment(pay, "p-" + g + "-11", at(11 + shift, 11, 0), PaymentStatus.FAILED, "card_declined", null);
        payment(pay, "p-" + g + "-13", at(13 + shift, 11, 0), PaymentStatus.SUCCEEDED, null, null);

        ticket(tix, "t-" + g + "-3", at(3 + shift, 10, 0), "T-" + g + "-1", TicketStatus.OPENED, null);
        SupportTicketEvent opened4 = ticket(tix, "t-" + g + "-4", at(4 + shift, 10, 0), "T-" + g + "-2", TicketStatus.OPENED, null);
        resend(opened4, at(4 + shift, 10, 5));
        ticket(tix, "t-" + g + "-5", at(5 + shift, 10, 0), "T-" + g + "-1", TicketStatus.RESOLVED, null);
        ticket(tix, "t-" + g + "-6", at(6 + shift, 10, 0), "T-" + g + "-3", TicketStatus.OPENED, null);

        if (g % 10 == 0) {
            Instant t = at(3 + shift, 9, 30);
            records.add(new Rec(t.toEpochMilli(), records.size(), EventType.USAGE, usage, null, null,
                    ("not avro at all " + g).getBytes(StandardCharsets.UTF_8), t.toEpochMilli()));
            malformed++;
        }
    }

    static Instant at(int day, int hour, int minute) {
        return DAY0.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    /** The last clock tick, on every partition: the streaming job's watermark ends near it. */
    Instant lastTick() {
        return at(lastTickDay, CLOCK_HOUR, 0);
    }

    private LoginEvent login(String account, String id, Instant t, Integer partition) {
        return add(t, EventType.LOGIN, account, partition,
                LoginEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setUserId("u-" + account).build());
    }

    private UsageEvent usage(String account, String id, Instant t, String feature, double quantity, Integer partition) {
        return add(t, EventType.USAGE, account, partition, UsageEvent.newBuilder().setEventId(id).setAccountId(account)
                .setEventTime(t).setUserId("u-" + account).setFeature(feature).setQuantity(quantity).build());
    }

    private SupportTicketEvent ticket(String account, String id, Instant t, String ticketId, TicketStatus status, Integer partition) {
        return add(t, EventType.SUPPORT_TICKET, account, partition, SupportTicketEvent.newBuilder().setEventId(id)
                .setAccountId(account).setEventTime(t).setTicketId(ticketId).setStatus(status).setPriority(TicketPriority.NORMAL).build());
    }

    private PaymentEvent payment(String account, String id, Instant t, PaymentStatus status, String failureCode, Integer partition) {
        return add(t, EventType.PAYMENT, account, partition, PaymentEvent.newBuilder().setEventId(id).setAccountId(account)
                .setEventTime(t).setStatus(status).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-" + id)
                .setFailureCode(failureCode).setCardExpiry("2027-11").build());
    }

    private void resend(SpecificRecord event, Instant sendAt) {
        Rec original = records.stream().filter(r -> r.event() == event).findFirst().orElseThrow();
        records.add(new Rec(sendAt.toEpochMilli(), records.size(), original.type(), original.key(), original.partition(), event,
                original.value(), original.timestamp()));
    }

    private <T extends SpecificRecord> T add(Instant t, EventType type, String key, Integer partition, T e) {
        records.add(new Rec(t.toEpochMilli(), records.size(), type, key, partition, e, AvroEvents.encode(e), t.toEpochMilli()));
        return e;
    }

    /** Everything in the order it is produced: by send time, then as planned. */
    List<Rec> inSendOrder() {
        List<Rec> out = new ArrayList<>(records);
        out.sort(Comparator.comparingLong(Rec::sendAt).thenComparingInt(Rec::seq));
        return out;
    }

    int size() {
        return records.size();
    }

    /** The events (not the malformed records) as the backtest's JSON Lines, in the order produced, through the
     * job's own conversions: every field the streaming job reads. */
    void writeJsonLines(Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Rec r : inSendOrder()) {
            if (r.event() != null) lines.add(EventJson.toJson(AvroEvents.toAccountEvent(r.event())));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
