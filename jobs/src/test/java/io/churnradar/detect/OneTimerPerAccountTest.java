package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.HOUR;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.date;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.TicketStatus;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An account with every kind of deadline pending at once (urgent ticket aging, core features,
 * inactivity, onboarding, the renewal window, card expiry, day closes) holds one timer, at the
 * earliest of them, and each alert comes at its exact time whether time moves in small steps or in one jump.
 */
class OneTimerPerAccountTest {
    private static final Rules RULES = TestRules.with("signals:\n  coreFeatureUnused: {coreFeatures: [reports]}");

    private static void everything(DetectorHarness h, String acc) throws Exception {
        h.send(Ev.login(acc, at(0, 8)),
                Ev.with(Ev.subscription(acc, at(0, 9), SubscriptionAction.STARTED, 9_900), e -> e.renewalDate = date(80)),
                Ev.urgent(acc, at(0, 10), "T-1", TicketStatus.OPENED),
                Ev.card(acc, at(0, 11), "2026-04"));
    }

    private static final List<String> EXPECTED = List.of(
            line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", at(0, 10) + 48 * HOUR),
            line(Signal.CORE_FEATURE_UNUSED, "RAISED", "MEDIUM", at(10, 8)),
            line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 8)),
            line(Signal.ONBOARDING_STALLED, "RAISED", "MEDIUM", at(14, 9)),
            line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(20)),
            line(Signal.CARD_EXPIRING, "RAISED", "MEDIUM", day(31)));

    @Test
    void oneTimerAtTheEarliestNeedThroughout() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(RULES)) {
            everything(h, "a");
            everything(h, "b");
            assertThat(h.timers()).isEqualTo(2);
            assertThat(h.accountState("a").pendingTimer).as("the close of day 0").isEqualTo(day(1));
            for (long t = day(0); t <= day(40); t += 3 * HOUR) {
                h.watermark(t);
                assertThat(h.timers()).isEqualTo(2);
                for (String acc : new String[] {"a", "b"}) {
                    AccountState s = h.accountState(acc);
                    assertThat(s.pendingTimer).isGreaterThan(t);
                }
            }
            assertThat(lines(AlertLines.of(Signal.URGENT_TICKET_AGING, h.alerts()))).hasSize(2);
            assertThat(lines(h.alerts().stream().filter(a -> a.getAccountId().equals("a")).toList())).isEqualTo(EXPECTED);
        }
    }

    @Test
    void oneJumpGivesTheSameAlertsInEventTimeOrder() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(RULES)) {
            everything(h, "a");
            h.watermark(day(40));
            assertThat(lines(h.alerts())).isEqualTo(EXPECTED);
            assertThat(h.timers()).as("the renewal window still needs its closes").isEqualTo(1);
        }
    }
}
