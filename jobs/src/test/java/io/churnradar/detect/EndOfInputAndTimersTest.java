package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing is detected after the newest data; one timer per account at most; cleanup after silence. */
class EndOfInputAndTimersTest {

    /** A silent account with a pending usage drop, inactivity deadline and ticket spike resolution. */
    private static void silentAfterDay6(DetectorHarness h) throws Exception {
        h.send(Ev.login("acc", at(0, 8)));
        for (int d = 0; d < 7; d++) h.send(Ev.usage("acc", at(d, 9), 2));
        h.send(Ev.ticket("acc", at(6, 10)), Ev.ticket("acc", at(6, 11)), Ev.ticket("acc", at(6, 12)));
        h.watermark(day(7));
    }

    @Test
    void theEndOfABoundedInputEmitsNothingMore() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            silentAfterDay6(h);
            List<String> before = lines(h.alerts());
            assertThat(before).containsExactly(line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(6, 12)));
            assertThat(h.timers()).isEqualTo(1);

            h.watermark(Long.MAX_VALUE);
            assertThat(lines(h.alerts())).isEqualTo(before);
        }
    }

    @Test
    void theSameInputWithTimeMovingOnDoesDetectMore() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            silentAfterDay6(h);
            h.watermark(day(20));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(6, 12)),
                    line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)),
                    line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(14)),
                    line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 8)));
        }
    }

    @Test
    void atMostOneTimerPerAccount() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            String[] accounts = {"a", "b", "c"};
            for (int d = 0; d < 10; d++) {
                for (String acc : accounts) {
                    h.send(Ev.login(acc, at(d, 8)), Ev.usage(acc, at(d, 9), 1), Ev.ticket(acc, at(d, 10)),
                            Ev.failed(acc, at(d, 11)), Ev.usage(acc, at(d + 1, 1), 1));
                    assertThat(h.timers()).isLessThanOrEqualTo(accounts.length);
                }
                h.watermark(at(d, 12));
                assertThat(h.timers()).isEqualTo(accounts.length);
            }
            for (String acc : accounts) {
                AccountState s = h.accountState(acc);
                assertThat(s.pendingTimer).isEqualTo(day(10)); // the close of day 9
            }
        }
    }

    @Test
    void anAccountWithoutDayBucketsOrLoginNeedsNoTimer() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed("payer", at(1, 9)), Ev.succeeded("payer", at(2, 9)));
            assertThat(h.timers()).isZero();
            // Its usage trend: neutral while it is too young for one, then judged (no usage: 0) at its next event,
            // as for an account whose logins give it closes.
            assertThat(usageTrend(h.latestHealth("payer"))).isEqualTo(75.0);
            h.send(Ev.failed("payer", at(20, 9)));
            assertThat(usageTrend(h.latestHealth("payer"))).isZero();
            assertThat(h.timers()).isZero();
        }
    }

    private static double usageTrend(io.churnradar.alerts.AccountHealth h) {
        assertThat(h.getComponents().get(0).getName()).isEqualTo("usageTrend");
        return h.getComponents().get(0).getValue();
    }

    @Test
    void timersAndStateAreCleanedUpAfterAnAccountFallsSilent() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login("acc", at(0, 8)));
            for (int d = 0; d < 7; d++) h.send(Ev.usage("acc", at(d, 9), 2));
            h.send(Ev.usage("other", at(0, 9), 1)); // a second account, also falling silent
            assertThat(h.timers()).isEqualTo(2);

            // Day 6 is the last bucket; the close of day 19 is the last that looks back to it.
            h.watermark(day(19));
            assertThat(h.timers()).isEqualTo(1);
            assertThat(h.accountState("acc").bucketDays).containsExactly(SignalEngine.dayOf(at(6, 9)));
            h.watermark(day(20));
            assertThat(h.timers()).isZero();

            AccountState s = h.accountState("acc");
            assertThat(s.bucketDays).isEmpty();
            assertThat(s.bucketUsage).isEmpty();
            assertThat(s.pendingTimer).isEqualTo(AccountState.NONE);
            assertThat(h.seenEventIds("acc")).isEmpty();
            assertThat(h.seenEventIds("other")).isEmpty();
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)),
                    line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 8)));

            // Months later nothing is pending and nothing fires.
            h.watermark(day(120));
            assertThat(h.alerts()).hasSize(2);
            assertThat(h.timers()).isZero();

            // The account comes back: one timer again, and its login resolves the inactivity.
            AccountEvent back = Ev.login("acc", at(121, 9));
            h.send(back, Ev.usage("acc", at(121, 10), 5));
            assertThat(h.timers()).isEqualTo(1);
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.INACTIVITY, "RESOLVED", "MEDIUM", at(121, 9)));
        }
    }
}
