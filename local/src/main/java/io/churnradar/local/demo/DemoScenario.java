package io.churnradar.local.demo;

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
import io.churnradar.ingest.EventType;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The demo's simulated customers and what they do, hour by hour of simulated time. Deterministic for a
 * seed. Most accounts are healthy: users log in on working days, use a few features at a steady rate,
 * pay monthly, open a ticket now and then. One account in five slides toward churn in one of four ways,
 * one per signal. Usage and logins follow the clock with little noise, so healthy accounts rarely look
 * like a drop: the alerts that appear are the scripted ones.
 */
public final class DemoScenario {
    public static final long HOUR_MS = 3_600_000L;
    public static final long DAY_MS = 24 * HOUR_MS;

    /** How an account heads toward churn. */
    enum Trouble { NONE, USAGE_DROP, GOES_SILENT, PAYMENT_FAILURES, TICKET_SPIKE }

    /** One record to send: an event, or a malformed value that the job must dead-letter. */
    record Outgoing(long time, EventType type, String accountId, byte[] value, boolean malformed) {}

    private static final String[] FEATURES = {"reports", "dashboards", "exports", "api", "alerts", "integrations", "search"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP"};
    private static final long[] PLANS_MINOR = {4_900, 9_900, 29_900, 79_900};
    private static final String[] DECLINES = {"card_declined", "insufficient_funds", "expired_card", "do_not_honor"};
    /** Share of a working day's activity in each UTC hour: business hours in Europe and the Americas. */
    private static final double[] HOUR_WEIGHT = {
        0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 2.5, 3.0, 3.0, 2.8,
        2.5, 2.8, 3.0, 3.0, 2.8, 2.5, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3};
    private static final double WEIGHT_SUM = java.util.Arrays.stream(HOUR_WEIGHT).sum();
    private static final int MALFORMED_RECORDS = 6;

    public final long start;
    public final int days;
    public final List<Account> accounts = new ArrayList<>();
    private final Random random;
    private final PriorityQueue<Outgoing> later = new PriorityQueue<>(Comparator.comparingLong(Outgoing::time));

    /**
     * @param start simulated start, midnight UTC
     * @param accountCount how many accounts; every 20 hold one of each kind of trouble
     */
    public DemoScenario(long start, int days, int accountCount, long seed) {
        this.start = start;
        this.days = days;
        this.random = new Random(seed);
        boolean firstPaymentTrouble = true;
        for (int i = 1; i <= accountCount; i++) {
            Account a = new Account(String.format("acct-%04d", i), troubleOf(i), new SplittableRandom(seed * 31 + i));
            if (a.trouble == Trouble.PAYMENT_FAILURES && firstPaymentTrouble) {
                // Its card is declined an hour into the simulation: the first alert shows within seconds.
                a.billingDay = 0;
                a.billingHour = 1;
                a.troubleDay = 0;
                firstPaymentTrouble = false;
            }
            accounts.add(a);
        }
    }

    static Trouble troubleOf(int index) {
        return switch (index % 20) {
            case 3 -> Trouble.PAYMENT_FAILURES;
            case 7 -> Trouble.TICKET_SPIKE;
            case 11 -> Trouble.USAGE_DROP;
            case 15 -> Trouble.GOES_SILENT;
            default -> Trouble.NONE;
        };
    }

    int hours() {
        return days * 24;
    }

    public long end() {
        return start + days * DAY_MS;
    }

    /** Every record of simulated hour {@code h} (0-based), in event-time order. */
    List<Outgoing> hour(int h) {
        long from = start + h * HOUR_MS;
        int day = h / 24;
        int hourOfDay = h % 24;
        DayOfWeek dow = Instant.ofEpochMilli(from).atZone(ZoneOffset.UTC).getDayOfWeek();
        double share = HOUR_WEIGHT[hourOfDay] / WEIGHT_SUM * (dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY ? 0.35 : 1.0);
        for (Account a : accounts) {
            a.simulateHour(from, day, hourOfDay, share);
        }
        maybeMalformed(h, from);
        List<Outgoing> out = new ArrayList<>();
        while (!later.isEmpty() && later.peek().time() < from + HOUR_MS) {
            out.add(later.poll());
        }
        return out;
    }

    /** A few records spread over the run that no consumer can use: the dead-letter path. */
    private void maybeMalformed(int h, long from) {
        int every = Math.max(1, hours() / MALFORMED_RECORDS);
        if (h % every != every / 2 || h / every >= MALFORMED_RECORDS) return;
        Account a = accounts.get(random.nextInt(accounts.size()));
        long t = from + random.nextInt((int) HOUR_MS);
        switch ((h / every) % 3) {
            case 0 -> {
                byte[] junk = new byte[16 + random.nextInt(48)];
                random.nextBytes(junk);
                later.add(new Outgoing(t, EventType.values()[random.nextInt(4)], a.id, junk, true));
            }
            // A well-formed login sent to the payments topic: its schema fingerprint is unknown there.
            case 1 -> later.add(new Outgoing(t, EventType.PAYMENT, a.id, AvroEvents.encode(LoginEvent.newBuilder()
                    .setEventId(a.id + "-x" + h).setAccountId(a.id).setEventTime(Instant.ofEpochMilli(t)).build()), true));
            // Valid Avro, invalid content: a negative quantity.
            default -> later.add(new Outgoing(t, EventType.USAGE, a.id, AvroEvents.encode(UsageEvent.newBuilder()
                    .setEventId(a.id + "-x" + h).setAccountId(a.id).setEventTime(Instant.ofEpochMilli(t))
                    .setFeature("reports").setQuantity(-5.0).build()), true));
        }
    }

    /** One simulated customer account. */
    public final class Account {
        final String id;
        final Trouble trouble;
        final SplittableRandom rnd;
        final String[] users;
        final String[] features;
        final double unitsPerDay;
        final double loginsPerDay;
        final long amountMinor;
        final String currency;
        final String cardExpiry;
        int billingDay;
        int billingHour;
        /** Day the trouble starts (a day index of the simulation). */
        int troubleDay;
        final double dropFactor;
        final int failuresInARow;
        final boolean recovers;
        private final SplittableRandom lifecycleRnd;
        private final int npsDay;
        private final int lifecycleRenewalInDays;
        private final boolean cancels;
        private double usageCarry;
        private double loginCarry;
        private long seq;
        private boolean billingStopped;

        Account(String id, Trouble trouble, SplittableRandom rnd) {
            this.id = id;
            this.trouble = trouble;
            this.rnd = rnd;
            this.users = new String[2 + rnd.nextInt(10)];
            for (int u = 0; u < users.length; u++) users[u] = id + "-u" + (u + 1);
            List<String> f = new ArrayList<>(List.of(FEATURES));
            java.util.Collections.shuffle(f, new Random(rnd.nextLong()));
            this.features = f.subList(0, 2 + rnd.nextInt(3)).toArray(String[]::new);
            this.unitsPerDay = 20 + rnd.nextInt(60) * (users.length / 4.0 + 0.5);
            this.loginsPerDay = 1.5 + users.length * (0.4 + rnd.nextDouble() * 0.4);
            this.amountMinor = PLANS_MINOR[Math.min(PLANS_MINOR.length - 1, users.length / 3)];
            this.currency = CURRENCIES[rnd.nextInt(CURRENCIES.length)];
            this.cardExpiry = String.format("%d-%02d", 2027 + rnd.nextInt(4), 1 + rnd.nextInt(12));
            this.billingDay = rnd.nextInt(30);
            this.billingHour = 2 + rnd.nextInt(6);
            this.dropFactor = 0.25 + rnd.nextDouble() * 0.25;
            this.failuresInARow = 1 + rnd.nextInt(3);
            this.recovers = failuresInARow < 3 ? rnd.nextDouble() < 0.6 : rnd.nextDouble() < 0.3;
            this.troubleDay = switch (trouble) {
                case USAGE_DROP -> 16 + rnd.nextInt(9);
                case GOES_SILENT -> 4 + rnd.nextInt(Math.max(1, Math.min(17, days - 4)));
                case TICKET_SPIKE -> 2 + rnd.nextInt(Math.max(1, days - 6));
                case PAYMENT_FAILURES -> billingDay;
                case NONE -> Integer.MAX_VALUE;
            };
            this.lifecycleRnd = new SplittableRandom(id.hashCode() * 31L + trouble.ordinal());
            this.npsDay = trouble == Trouble.NONE ? lifecycleRnd.nextInt(Math.max(1, days))
                    : (int) Math.min((long) troubleDay + 2, Integer.MAX_VALUE);
            this.lifecycleRenewalInDays = 20 + lifecycleRnd.nextInt(120);
            this.cancels = lifecycleRnd.nextBoolean();
        }

        private boolean troubled(int day) {
            return day >= troubleDay;
        }

        void simulateHour(long from, int day, int hourOfDay, double share) {
            double usageFactor = 1.0;
            double loginFactor = 1.0;
            if (trouble == Trouble.USAGE_DROP && troubled(day)) {
                usageFactor = dropFactor;
                loginFactor = 0.7;
            } else if (trouble == Trouble.GOES_SILENT && troubled(day)) {
                // The last login is on troubleDay; an integration keeps trickling usage for a few days.
                loginFactor = day == troubleDay && hourOfDay < 12 ? 1.0 : 0.0;
                usageFactor = day - troubleDay < 3 ? 0.1 : 0.0;
            }
            logins(from, share * loginFactor);
            usage(from, share * usageFactor);
            tickets(from, day, hourOfDay);
            if (hourOfDay == billingHour) payments(from, day);
            lifecycle(from, day, hourOfDay);
        }

        /**
         * Subscription and survey events: every account renews at the start, answers one NPS survey
         * (low once its trouble began), a silent account asks to cancel and some cancel, and an account
         * whose usage dropped moves to a cheaper plan. Drawn from their own random stream so that the
         * rest of the traffic stays as it was for a seed.
         */
        private void lifecycle(long from, int day, int hourOfDay) {
            if (day == 0 && hourOfDay == billingHour) {
                long t = at(from);
                String renewal = java.time.LocalDate.ofEpochDay(Math.floorDiv(t, DAY_MS) + lifecycleRenewalInDays).toString();
                emit(t, EventType.SUBSCRIPTION, subscription(t, SubscriptionAction.RENEWED, amountMinor, "plan-" + users.length)
                        .setSeats(users.length).setRenewalDate(renewal).build());
            }
            if (day == npsDay && hourOfDay == 14) {
                long t = at(from);
                int score = troubled(day) && trouble != Trouble.NONE ? 1 + lifecycleRnd.nextInt(5) : 7 + lifecycleRnd.nextInt(4);
                emit(t, EventType.FEEDBACK, FeedbackEvent.newBuilder().setEventId(nextId("f")).setAccountId(id)
                        .setEventTime(Instant.ofEpochMilli(t)).setUserId(user()).setSurvey(SurveyType.NPS).setScore(score).build());
            }
            if (trouble == Trouble.GOES_SILENT && hourOfDay == 15) {
                if (day == troubleDay + 6) {
                    long t = at(from);
                    emit(t, EventType.SUBSCRIPTION, subscription(t, SubscriptionAction.CANCEL_REQUESTED, null, null)
                            .setReason("not_using").build());
                } else if (day == troubleDay + 9 && cancels) {
                    long t = at(from);
                    emit(t, EventType.SUBSCRIPTION, subscription(t, SubscriptionAction.CANCELED, 0L, null).setReason("not_using").build());
                }
            }
            if (trouble == Trouble.USAGE_DROP && day == troubleDay + 4 && hourOfDay == 16) {
                long t = at(from);
                emit(t, EventType.SUBSCRIPTION, subscription(t, SubscriptionAction.PLAN_CHANGED, amountMinor / 2, "plan-starter").build());
            }
        }

        private SubscriptionEvent.Builder subscription(long t, SubscriptionAction action, Long mrrMinor, String plan) {
            return SubscriptionEvent.newBuilder().setEventId(nextId("s")).setAccountId(id).setEventTime(Instant.ofEpochMilli(t))
                    .setUserId(users[0]).setAction(action).setMrrMinor(mrrMinor).setPlan(plan);
        }

        /** Logins at the expected rate, carried over between hours so that a quiet hour adds up. */
        private void logins(long from, double share) {
            loginCarry += loginsPerDay * share * (0.8 + 0.4 * rnd.nextDouble());
            while (loginCarry >= 1) {
                loginCarry -= 1;
                long t = at(from);
                emit(t, EventType.LOGIN, LoginEvent.newBuilder()
                        .setEventId(nextId("l")).setAccountId(id).setEventTime(Instant.ofEpochMilli(t))
                        .setUserId(user()).build());
            }
        }

        /** Usage of one or two features per busy hour, about unitsPerDay a working day. */
        private void usage(long from, double share) {
            usageCarry += unitsPerDay * share * (0.9 + 0.2 * rnd.nextDouble());
            int units = (int) usageCarry;
            if (units < 1) return;
            usageCarry -= units;
            int parts = units >= 4 && rnd.nextBoolean() ? 2 : 1;
            for (int p = 0; p < parts; p++) {
                int q = p == parts - 1 ? units - (units / parts) * (parts - 1) : units / parts;
                long t = at(from);
                emit(t, EventType.USAGE, UsageEvent.newBuilder()
                        .setEventId(nextId("u")).setAccountId(id).setEventTime(Instant.ofEpochMilli(t))
                        .setUserId(user()).setFeature(features[rnd.nextInt(features.length)]).setQuantity(q).build());
            }
        }

        private void tickets(long from, int day, int hourOfDay) {
            if (trouble == Trouble.TICKET_SPIKE && day == troubleDay && hourOfDay == 9) {
                // A burst: 3 to 5 tickets opened over the next 1 to 3 days, urgent ones.
                int n = 3 + rnd.nextInt(3);
                long span = (1 + rnd.nextInt(3)) * DAY_MS;
                for (int k = 0; k < n; k++) {
                    ticket(from + k * span / n + rnd.nextLong(HOUR_MS), rnd.nextBoolean() ? TicketPriority.URGENT : TicketPriority.HIGH);
                }
            } else if (trouble != Trouble.GOES_SILENT || !troubled(day)) {
                // Now and then, during working hours: about one ticket in 60 days (ten busy hours a day).
                if (HOUR_WEIGHT[hourOfDay] >= 2.5 && rnd.nextDouble() < 1.0 / (60 * 10)) {
                    ticket(at(from), rnd.nextInt(4) == 0 ? TicketPriority.HIGH : TicketPriority.NORMAL);
                }
            }
        }

        /** A ticket's life: opened, answered, resolved (with a rating, sometimes), closed. */
        private void ticket(long opened, TicketPriority priority) {
            String ticketId = "T-" + id.substring(5) + "-" + (++seq);
            String user = user();
            long answered = opened + HOUR_MS + rnd.nextLong(6 * HOUR_MS);
            long resolved = answered + rnd.nextLong(2 * DAY_MS);
            Integer csat = rnd.nextInt(3) == 0 ? null : priority == TicketPriority.URGENT ? 1 + rnd.nextInt(3) : 3 + rnd.nextInt(3);
            emit(opened, EventType.SUPPORT_TICKET, ticket(ticketId, opened, user, TicketStatus.OPENED, priority, null));
            emit(answered, EventType.SUPPORT_TICKET, ticket(ticketId, answered, user, TicketStatus.UPDATED, priority, null));
            emit(resolved, EventType.SUPPORT_TICKET, ticket(ticketId, resolved, user, TicketStatus.RESOLVED, priority, csat));
            emit(resolved + DAY_MS, EventType.SUPPORT_TICKET, ticket(ticketId, resolved + DAY_MS, user, TicketStatus.CLOSED, priority, null));
        }

        private SupportTicketEvent ticket(String ticketId, long t, String user, TicketStatus status, TicketPriority priority, Integer csat) {
            return SupportTicketEvent.newBuilder()
                    .setEventId(nextId("t")).setAccountId(id).setEventTime(Instant.ofEpochMilli(t)).setUserId(user)
                    .setTicketId(ticketId).setStatus(status).setPriority(priority).setCsat(csat).build();
        }

        /** Monthly billing; in trouble, a run of declined charges retried every 3 days. */
        private void payments(long from, int day) {
            if (billingStopped || day < billingDay || (day - billingDay) % 30 != 0) return;
            long t = from + rnd.nextLong(HOUR_MS);
            String invoice = "INV-" + id.substring(5) + "-" + ((day - billingDay) / 30 + 1);
            if (trouble == Trouble.PAYMENT_FAILURES && day >= troubleDay) {
                for (int k = 0; k < failuresInARow; k++) {
                    emit(t + k * 3 * DAY_MS, EventType.PAYMENT, payment(invoice, t + k * 3 * DAY_MS, PaymentStatus.FAILED,
                            DECLINES[rnd.nextInt(DECLINES.length)]));
                }
                if (recovers) {
                    long paid = t + failuresInARow * 3 * DAY_MS;
                    emit(paid, EventType.PAYMENT, payment(invoice, paid, PaymentStatus.SUCCEEDED, null));
                } else {
                    billingStopped = true; // dunning exhausted: the subscription is suspended
                }
                troubleDay = Integer.MAX_VALUE; // one episode per account
            } else if (rnd.nextDouble() < 0.03) {
                // Healthy accounts too have a card declined now and then, and pay the next day.
                emit(t, EventType.PAYMENT, payment(invoice, t, PaymentStatus.FAILED, "insufficient_funds"));
                emit(t + DAY_MS, EventType.PAYMENT, payment(invoice, t + DAY_MS, PaymentStatus.SUCCEEDED, null));
            } else {
                emit(t, EventType.PAYMENT, payment(invoice, t, PaymentStatus.SUCCEEDED, null));
            }
        }

        private PaymentEvent payment(String invoice, long t, PaymentStatus status, String failureCode) {
            return PaymentEvent.newBuilder()
                    .setEventId(nextId("p")).setAccountId(id).setEventTime(Instant.ofEpochMilli(t)).setUserId(users[0])
                    .setStatus(status).setAmountMinor(amountMinor).setCurrency(currency).setInvoiceId(invoice)
                    .setFailureCode(failureCode).setCardExpiry(cardExpiry).build();
        }

        private long at(long hourStart) {
            return hourStart + rnd.nextLong(HOUR_MS);
        }

        private String user() {
            return users[rnd.nextInt(users.length)];
        }

        private String nextId(String kind) {
            return id + "-" + kind + (++seq);
        }

        private void emit(long t, EventType type, org.apache.avro.specific.SpecificRecord record) {
            if (t >= end()) return; // beyond the simulated period
            later.add(new Outgoing(t, type, id, AvroEvents.encode(record), false));
        }
    }

    static byte[] key(String accountId) {
        return accountId.getBytes(StandardCharsets.UTF_8);
    }
}
