package io.churnradar.detect;

import static io.churnradar.detect.Days.HOUR;
import static io.churnradar.detect.Days.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.TicketStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * An account's day closes run only where a close can change something ({@link SignalEngine}: USAGE_DROP's windows,
 * the score's time-dependent components, a pending small change of the score). The outputs must be exactly those
 * of closing every day the account has usage or tickets in the look-back, which is what the detector did before
 * and what a training run still does ({@link EventOrdering#closeEveryActiveDay}).
 */
class SparseDayClosesTest {
    private static final long BOUND = 6 * HOUR;
    private static final String[] FEATURES = {"exports", "reports", "api", "dashboards"};

    @Test
    void oneDayOfUsageClosesWhereItsWindowsMoveNotEveryDay() throws Exception {
        Rules rules = DetectorHarness.signalsOnly();
        int lookback = rules.lookbackDays();
        assertThat(lookback).as("the default look-back: USAGE_DROP's two windows").isEqualTo(14);
        try (DetectorHarness sparse = DetectorHarness.inEventTimeOrder(rules, EventOrdering.defaults());
                DetectorHarness daily = DetectorHarness.inEventTimeOrder(rules, EventOrdering.defaults().withEveryActiveDayClosed())) {
            for (DetectorHarness h : List.of(sparse, daily)) {
                h.send(Ev.usage("acme", at(0, 10), "exports", 20));
                h.watermark(at(40, 0));
            }
            // Day 0: its usage enters the current window; day 7: it moves to the previous one and its feature leaves
            // the breadth window; day 13: the newest bucket's last day in the look-back, whose close drops it.
            assertThat(sparse.dayCloses()).containsExactly("acme@" + day(0), "acme@" + day(7), "acme@" + day(13));
            assertThat(daily.dayCloses()).hasSize(14);
            assertThat(sparse.health()).isEqualTo(daily.health());
            assertThat(sparse.alerts()).isEqualTo(daily.alerts());
        }
    }

    @Test
    void aLoginStillClosesEveryDayWhileItsRecencyFalls() throws Exception {
        Rules rules = DetectorHarness.signalsOnly();
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(rules, EventOrdering.defaults())) {
            h.send(Ev.login("acme", at(0, 10)));
            h.watermark(at(40, 0));
            // The score falls a little each day until the INACTIVITY deadline on day 14 samples its last value.
            assertThat(h.dayCloses()).hasSize(14);
            assertThat(h.health()).hasSizeGreaterThan(10);
        }
    }

    /**
     * Sparse and dense accounts with every kind of event the score and the daily signals read, read within the bound
     * out of order, with re-sent copies and late events: every alert, health update, decision and outcome is the
     * same with the closes that can change something as with a close every active day, and fewer closes run (most
     * days of the busy accounts have a login, whose recency asks for a close every day).
     */
    @Test
    void theOutputsAreThoseOfClosingEveryActiveDay() throws Exception {
        // The defaults, and windows of other lengths: a feature then leaves the breadth window on another day than
        // its usage leaves USAGE_DROP's current window.
        Rules other = TestRules.withPlaybooks("signals:\n  usageDrop: {windowDays: 10}\nhealth:\n  featureWindowDays: 4");
        for (long seed : new long[] {1, 2, 3, 4}) {
            Rules rules = seed % 2 == 0 ? other : Rules.defaults();
            List<AccountEvent> read = readOrder(history(seed), seed);
            try (DetectorHarness sparse = DetectorHarness.inEventTimeOrder(rules, EventOrdering.defaults());
                    DetectorHarness daily = DetectorHarness.inEventTimeOrder(rules, EventOrdering.defaults().withEveryActiveDayClosed())) {
                for (DetectorHarness h : List.of(sparse, daily)) {
                    long wm = h.sendTrailing(read, Long.MIN_VALUE, BOUND);
                    h.watermark(Math.max(wm, at(75, 0)));
                }
                assertThat(daily.alerts()).as("seed %d: the history raises alerts", seed).hasSizeGreaterThan(20);
                // Per account, in the order emitted: the interleaving of accounts follows which timers run, and no
                // output promises an order across accounts.
                assertThat(byAccount(sparse.alerts(), a -> a.getAccountId())).as("seed %d: alerts", seed)
                        .isEqualTo(byAccount(daily.alerts(), a -> a.getAccountId()));
                assertThat(byAccount(sparse.health(), a -> a.getAccountId())).as("seed %d: health", seed)
                        .isEqualTo(byAccount(daily.health(), a -> a.getAccountId()));
                assertThat(byAccount(sparse.commands(), c -> c.getAccountId())).as("seed %d: decisions", seed)
                        .isEqualTo(byAccount(daily.commands(), c -> c.getAccountId()));
                assertThat(byAccount(sparse.outcomes(), o -> o.accountId)).as("seed %d: outcomes", seed)
                        .isEqualTo(byAccount(daily.outcomes(), o -> o.accountId));
                assertThat(sparse.counter(ChurnDetector.LATE)).as("seed %d: late events", seed).isPositive()
                        .isEqualTo(daily.counter(ChurnDetector.LATE));
                assertThat(sparse.dayCloses().size()).as("seed %d: closes", seed).isLessThan(daily.dayCloses().size());
            }
        }
    }

    /** 40 accounts over 60 days: some busy every day, most with a few scattered days of activity, some fading out. */
    private static List<AccountEvent> history(long seed) {
        Random r = new Random(seed);
        List<AccountEvent> events = new ArrayList<>();
        for (int a = 0; a < 40; a++) {
            String acct = "acct-" + a;
            double activity = a < 8 ? 0.9 : 0.12;
            int fadeFrom = r.nextInt(3) == 0 ? 20 + r.nextInt(30) : 60;
            events.add(Ev.subscription(acct, at(0, 1), SubscriptionAction.STARTED, 4_900));
            for (int d = 0; d < 60; d++) {
                double p = d >= fadeFrom ? activity / 4 : activity;
                if (r.nextDouble() > p) {
                    // Days without usage: a ticket alone (the score moves again when it leaves the ticket window), or
                    // a failed and a settled payment and a survey answer (a small change left to publish at the next close).
                    int quiet = r.nextInt(20);
                    if (quiet == 0) events.add(Ev.ticket(acct, at(d, 11), TicketStatus.OPENED));
                    if (quiet == 1) {
                        events.add(Ev.failed(acct, at(d, 10)));
                        events.add(Ev.succeeded(acct, at(d, 12)));
                        events.add(Ev.nps(acct, at(d, 14), 6 + r.nextInt(5)));
                    }
                    continue;
                }
                int hour = 8 + r.nextInt(10);
                boolean busy = a < 8;
                if (r.nextInt(busy ? 3 : 8) == 0) events.add(Ev.login(acct, at(d, hour)));
                int uses = 1 + r.nextInt(3);
                for (int u = 0; u < uses; u++) {
                    double q = d >= fadeFrom ? 1 : 3 + r.nextInt(8);
                    long t = at(d, hour) + u * 60_000L;
                    // The quiet accounts' usage mostly without a feature: only USAGE_DROP's windows ask for their closes.
                    events.add(busy || r.nextInt(4) == 0 ? Ev.usage(acct, t, FEATURES[r.nextInt(FEATURES.length)], q) : Ev.usage(acct, t, q));
                }
                int kind = r.nextInt(20);
                if (kind == 0) events.add(Ev.ticket(acct, at(d, hour + 1), TicketStatus.OPENED));
                if (kind == 1) events.add(Ev.failed(acct, at(d, hour + 2)));
                if (kind == 2) events.add(Ev.succeeded(acct, at(d, hour + 2)));
                if (kind == 3) events.add(Ev.nps(acct, at(d, hour + 3), r.nextInt(11)));
                if (kind == 4) events.add(Ev.urgent(acct, at(d, hour + 1), acct + "-t" + d, TicketStatus.OPENED));
            }
            // A burst of tickets for some: a TICKET_SPIKE that must resolve on the same day either way.
            if (a % 7 == 3) for (int t = 0; t < 4; t++) events.add(Ev.ticket(acct, at(30, 9 + t), TicketStatus.OPENED));
        }
        events.sort(Comparator.comparingLong(e -> e.eventTime));
        return events;
    }

    /** Read within the bound out of order, every tenth event re-sent later, and every 50th read two days late. */
    private static List<AccountEvent> readOrder(List<AccountEvent> events, long seed) {
        Random r = new Random(seed * 31);
        List<Object[]> keyed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            AccountEvent e = events.get(i);
            long readAt = i % 50 == 25 ? e.eventTime + 2 * Days.DAY : e.eventTime + (long) (r.nextDouble() * BOUND / 2);
            keyed.add(new Object[] {readAt, i, e});
            if (i % 10 == 0) keyed.add(new Object[] {e.eventTime + (long) (r.nextDouble() * BOUND), i, e});
        }
        keyed.sort(Comparator.<Object[]>comparingLong(k -> (Long) k[0]).thenComparingInt(k -> (Integer) k[1]));
        List<AccountEvent> out = new ArrayList<>();
        for (Object[] k : keyed) out.add((AccountEvent) k[2]);
        return out;
    }

    private static <T> Map<String, List<String>> byAccount(List<T> records, Function<T, Object> account) {
        Map<String, List<String>> out = new TreeMap<>();
        for (T r : records) out.computeIfAbsent(String.valueOf(account.apply(r)), k -> new ArrayList<>()).add(r.toString());
        return out;
    }

    private static long day(int n) {
        return Math.floorDiv(Days.day(n), Days.DAY);
    }
}
