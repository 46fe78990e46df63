package io.churnradar.propensity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.propensity.ChurnLabels.ChurnMoment;
import io.churnradar.propensity.ChurnLabels.Label;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChurnLabelsTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private static long day(int d) {
        return T0 + d * DAY;
    }

    @Test
    void specsParseAndPrintBack() {
        assertEquals("inactivity:90d", ChurnDefinition.parse("inactivity:90d").toString());
        assertEquals("canceled:60d", ChurnDefinition.parse(" CANCELED : 60 days ").toString());
        assertEquals(ChurnDefinition.DEFAULT, ChurnDefinition.parse("auto"));
        assertEquals(Duration.ofDays(30), ChurnDefinition.parse("30d").horizon());
        assertEquals(ChurnDefinition.Basis.AUTO, ChurnDefinition.parse("30d").basis());
        assertEquals(Duration.ofHours(36), ChurnDefinition.parse("inactivity:36h").horizon());
        for (String bad : new String[] {"", "lapsed:90d", "inactivity:soon", "inactivity:2h", "inactivity:-3d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChurnDefinition.parse(bad), bad);
            assertTrue(e.getMessage().length() > 10, e.getMessage());
        }
        ChurnDefinition d = ChurnDefinition.parse("canceled:45d");
        assertEquals(d, ChurnDefinition.parse(d.toString()));
    }

    @Test
    void autoIsContractualOnlyWhenTheHistoryHasSubscriptions() {
        var none = ChurnLabels.builder(ChurnDefinition.DEFAULT).add(AccountEvent.login("l1", "a", day(0))).build();
        assertEquals(ChurnDefinition.Basis.INACTIVITY, none.definition().basis());
        var some = ChurnLabels.builder(ChurnDefinition.DEFAULT)
                .add(AccountEvent.login("l1", "a", day(0)))
                .add(AccountEvent.subscription("s1", "b", day(1), SubscriptionAction.STARTED))
                .build();
        assertEquals(ChurnDefinition.Basis.CANCELED, some.definition().basis());
    }

    /** Activity on days 0..10 and 50, nothing after; the history ends on day 200 (another account). */
    @Test
    void inactivityLooksOnlyAfterTheInstantAndCensorsTheEnd() {
        List<AccountEvent> events = new ArrayList<>();
        for (int d = 0; d <= 10; d++) events.add(AccountEvent.login("a" + d, "a", day(d) + 9 * 3_600_000L));
        events.add(AccountEvent.usage("u50", "a", day(50) + 3_600_000L, "reports", 2));
        events.add(AccountEvent.usage("u60", "a", day(60), "reports", 0)); // not a use
        AccountEvent refund = AccountEvent.payment("p70", "a", day(70), PaymentStatus.REFUNDED);
        events.add(refund); // a refund is not activity
        for (int d = 0; d <= 200; d += 5) events.add(AccountEvent.login("b" + d, "b", day(d)));
        Collections.shuffle(events, new Random(7));
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.parse("inactivity:30d"));
        events.forEach(b::add);
        ChurnLabels labels = b.build();

        assertEquals(day(200), labels.dataEnd());
        // Day closes: the close of day d is the start of day d + 1.
        assertEquals(Label.STAY, labels.label("a", day(1)));
        assertEquals(Label.STAY, labels.label("a", day(21)), "day 50 + 1h is within 30 days of day 21");
        assertEquals(Label.CHURN, labels.label("a", day(20)), "day 50 + 1h is just past 30 days from day 20");
        assertEquals(Label.CHURN, labels.label("a", day(19)), "day 50 + 1h is after 30 days from day 19 ... day 49");
        assertEquals(Label.CHURN, labels.label("a", day(51)));
        // An instant on an active day: only what comes after it counts.
        assertEquals(Label.CHURN, labels.label("a", day(50) + 2 * 3_600_000L));
        assertEquals(Label.STAY, labels.label("a", day(50)));
        // Near the end of the history: b keeps logging in, so STAY is known; nobody can be CHURN past day 170.
        assertEquals(Label.STAY, labels.label("b", day(190)));
        assertEquals(Label.CHURN, labels.label("a", day(170)));
        assertEquals(Label.CENSORED, labels.label("a", day(171)));
        assertEquals(Label.CENSORED, labels.label("nobody", day(180)));

        assertEquals(List.of(new ChurnMoment(day(10) + 9 * 3_600_000L + 30 * DAY, day(10) + 9 * 3_600_000L),
                new ChurnMoment(day(50) + 3_600_000L + 30 * DAY, day(50) + 3_600_000L)), labels.churnMoments("a"));
        assertEquals(List.of(), labels.churnMoments("b"));
    }

    @Test
    void contractualChurnIsACancellationWithinTheHorizon() {
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.parse("auto:60d"));
        b.add(AccountEvent.subscription("s0", "a", day(0), SubscriptionAction.STARTED));
        b.add(AccountEvent.login("l5", "a", day(5)));
        b.add(AccountEvent.subscription("c", "a", day(100), SubscriptionAction.CANCELED));
        b.add(AccountEvent.subscription("c", "a", day(100), SubscriptionAction.CANCELED)); // a duplicate
        b.add(AccountEvent.login("z", "z", day(300)));
        ChurnLabels labels = b.build();
        assertEquals("canceled:60d", labels.definition().toString());
        assertEquals(Label.STAY, labels.label("a", day(39)));
        assertEquals(Label.CHURN, labels.label("a", day(40)));
        assertEquals(Label.CHURN, labels.label("a", day(99)));
        assertEquals(Label.STAY, labels.label("a", day(100)));
        assertEquals(Label.STAY, labels.label("a", day(240)));
        assertEquals(Label.CENSORED, labels.label("a", day(241)));
        assertEquals(List.of(new ChurnMoment(day(100), day(5))), labels.churnMoments("a"));
    }

    @Test
    void memoryFollowsActiveDaysNotEvents() {
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.parse("inactivity:90d"));
        for (int i = 0; i < 100_000; i++) b.add(AccountEvent.usage("u" + i, "busy", day(i % 30) + i, "f", 1));
        ChurnLabels labels = b.build();
        ChurnLabels.Activity a = labels.accountsForTest().get("busy");
        assertEquals(30, a.days);
        assertEquals(30, a.day.length);
    }
}
