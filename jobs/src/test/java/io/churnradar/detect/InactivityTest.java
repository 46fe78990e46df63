package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.DAY;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** INACTIVITY: no login for 14 days; detectedAt = last login + 14 days; resolved by the next login. */
class InactivityTest {
    private static final String ACC = "globex";
    private static final long LOGIN = at(2, 9) + 17 * 60_000L; // day 2, 09:17Z

    @Test
    void raisedExactlyFourteenDaysAfterTheLastLogin() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            h.watermark(LOGIN + 14 * DAY - 1);
            assertThat(h.alerts()).isEmpty();

            h.watermark(LOGIN + 14 * DAY);
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.INACTIVITY, "RAISED", "MEDIUM", LOGIN + 14 * DAY));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("lastLoginAt", Days.instant(LOGIN).toString())
                    .containsEntry("daysWithoutLogin", "14");
            assertThat(h.timers()).isZero(); // nothing more to wait for
        }
    }

    @Test
    void onlyTheLatestLoginCounts() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            long second = LOGIN + 5 * DAY;
            h.send(Ev.login(ACC, LOGIN), Ev.login(ACC, second), Ev.login(ACC, LOGIN + DAY)); // the last one out of order
            h.watermark(second + 14 * DAY - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(second + 14 * DAY);
            assertThat(lines(h.alerts())).containsExactly(line(Signal.INACTIVITY, "RAISED", "MEDIUM", second + 14 * DAY));
        }
    }

    @Test
    void aLoginExactlyFourteenDaysLaterPreventsIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            h.watermark(LOGIN + 14 * DAY - 1);
            // At the same instant as the deadline: the event comes before the timer.
            h.send(Ev.login(ACC, LOGIN + 14 * DAY));
            h.watermark(LOGIN + 14 * DAY);
            assertThat(h.alerts()).isEmpty();
            assertThat(h.counter(ChurnDetector.LATE)).isZero();

            h.watermark(LOGIN + 28 * DAY);
            assertThat(lines(h.alerts())).containsExactly(line(Signal.INACTIVITY, "RAISED", "MEDIUM", LOGIN + 28 * DAY));
        }
    }

    @Test
    void theNextLoginResolvesItAndTheNextSilenceIsANewEpisode() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            h.watermark(LOGIN + 16 * DAY);
            RiskAlert raised = h.newAlerts().get(0);

            long back = LOGIN + 20 * DAY;
            h.send(Ev.login(ACC, back));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.INACTIVITY, "RESOLVED", "MEDIUM", back));
            assertThat(out.get(0).getAlertId()).isEqualTo(raised.getAlertId());
            assertThat(out.get(0).getEpisodeStart()).isEqualTo(Days.instant(LOGIN + 14 * DAY));
            assertThat(out.get(0).getEvidence()).containsEntry("loginAt", Days.instant(back).toString()).doesNotContainKey("late");

            // More logins while it is resolved change nothing.
            h.send(Ev.login(ACC, back + DAY));
            h.watermark(back + DAY + 14 * DAY - 1);
            assertThat(h.newAlerts()).isEmpty();

            h.watermark(back + DAY + 14 * DAY);
            List<RiskAlert> again = h.newAlerts();
            assertThat(lines(again)).containsExactly(line(Signal.INACTIVITY, "RAISED", "MEDIUM", back + 15 * DAY));
            assertThat(again.get(0).getAlertId()).isNotEqualTo(raised.getAlertId());
        }
    }

    @Test
    void anAccountThatNeverLoggedInIsNeverInactive() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.usage(ACC, at(0, 9), 1), Ev.ticket(ACC, at(1, 9)), Ev.failed(ACC, at(2, 9)));
            h.watermark(day(60));
            assertThat(h.alerts()).extracting(RiskAlert::getSignal).doesNotContain(Signal.INACTIVITY.name());
        }
    }

    @Test
    void theDeadlineFiresWithoutAnyOtherEvent() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            assertThat(h.timers()).isEqualTo(1);
            h.watermark(LOGIN + 30 * DAY); // one jump far past the deadline: still dated at the deadline
            assertThat(lines(h.alerts())).containsExactly(line(Signal.INACTIVITY, "RAISED", "MEDIUM", LOGIN + 14 * DAY));
        }
    }

    @Test
    void aLaterLoginAheadOfALaggingWatermarkDoesNotHideTheGap() throws Exception {
        long fiveMinutes = 5 * 60_000L;
        long deadline = LOGIN + 14 * DAY;
        // In order: the deadline passes, then the login five minutes later resolves it.
        List<String> inOrder;
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            h.watermark(deadline + fiveMinutes - 1);
            h.send(Ev.login(ACC, deadline + fiveMinutes));
            h.watermark(deadline + DAY);
            inOrder = lines(h.alerts());
        }
        assertThat(inOrder).containsExactly(
                line(Signal.INACTIVITY, "RAISED", "MEDIUM", deadline),
                line(Signal.INACTIVITY, "RESOLVED", "MEDIUM", deadline + fiveMinutes));
        // The watermark held back by a slower source: the same login arrives before the deadline's
        // timer fires. Event time says the same episode happened.
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, LOGIN));
            h.watermark(deadline - fiveMinutes);
            h.send(Ev.login(ACC, deadline + fiveMinutes));
            assertThat(lines(h.alerts())).isEqualTo(inOrder);
            assertThat(h.alerts().get(1).getAlertId()).isEqualTo(h.alerts().get(0).getAlertId());
            h.watermark(deadline + DAY);
            assertThat(lines(h.alerts())).isEqualTo(inOrder);
        }
    }
}
