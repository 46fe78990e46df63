package io.churnradar.detect;

import static io.churnradar.detect.Days.DAY;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Rules;
import io.churnradar.play.PlaybookRules;
import io.churnradar.signals.Signal;
import io.churnradar.testing.TestChurnModels;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * CHURN_RISK with a real (small) model: every live account scored at each day close, the probability on
 * the health update of that close, raised past raiseAt, escalated through the bands, resolved only below
 * resolveBelow, no scoring once the account is silent past the model's horizon, and playbooks on it.
 */
class ChurnRiskTest {
    private static final String ACC = "initech";
    /** The test model's horizon (inactivity:30d). */
    private static final int HORIZON_DAYS = 30;

    static String modelBlock() {
        return "model:\n  inline: " + Base64.getEncoder().encodeToString(TestChurnModels.loginRecency().toBytes()) + "\n";
    }

    private static List<AccountHealth> scored(List<AccountHealth> health) {
        return health.stream().filter(h -> h.getChurnProbability() != null).toList();
    }

    private static List<RiskAlert> churnRisk(List<RiskAlert> alerts) {
        return alerts.stream().filter(a -> a.getSignal().equals(Signal.CHURN_RISK.name())).toList();
    }

    @Test
    void everyDayCloseScoresTheAccountAndTheSignalFollowsTheProbability() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(modelBlock()))) {
            for (int d = 1; d <= 10; d++) h.send(Ev.login(ACC, at(d, 9)));
            h.watermark(day(11));
            List<AccountHealth> daily = scored(h.newHealth());
            // One scored update per close of days 1..10, each at the close, each low: the account logs in daily.
            assertThat(daily).hasSize(10);
            assertThat(daily.get(0).getAsOf().toEpochMilli()).isEqualTo(day(2));
            assertThat(daily).allSatisfy(u -> assertThat(u.getChurnProbability()).isLessThan(0.35));
            assertThat(churnRisk(h.newAlerts())).isEmpty();

            // Silence: the probability climbs past raiseAt within days, and the signal is raised at a close.
            h.watermark(day(25));
            List<RiskAlert> risk = churnRisk(h.newAlerts());
            assertThat(risk).isNotEmpty();
            RiskAlert raised = risk.get(0);
            assertThat(raised.getStatus().name()).isEqualTo("RAISED");
            assertThat(raised.getDetectedAt().toEpochMilli() % DAY).isZero();
            assertThat(Double.parseDouble(raised.getEvidence().get("probability"))).isGreaterThanOrEqualTo(0.5);
            assertThat(raised.getEvidence().get("topFeatures")).startsWith("days_since_login=");
            assertThat(raised.getEvidence().get("model")).contains("inactivity:30d");
            assertThat(raised.getEvidence()).containsEntry("threshold", "0.5");
            // The escalations, if any, only go up; it stays open while the silence lasts.
            assertThat(risk.stream().skip(1)).allSatisfy(a -> assertThat(a.getStatus().name()).isEqualTo("UPDATED"));
            List<AccountHealth> silent = scored(h.newHealth());
            assertThat(silent).hasSize(14);
            AccountHealth atRaise = silent.stream().filter(u -> u.getChurnScoredAt().equals(raised.getDetectedAt())).findFirst().orElseThrow();
            assertThat(atRaise.getChurnProbability()).isGreaterThanOrEqualTo(0.5);
            assertThat(atRaise.getChurnContributions()).isNotEmpty();
            assertThat(atRaise.getChurnContributions().get(0).getFeature()).isEqualTo("days_since_login");

            // A login brings it back below resolveBelow at the next close: resolved, same episode.
            h.send(Ev.login(ACC, at(25, 8)));
            h.watermark(day(26));
            List<RiskAlert> back = churnRisk(h.newAlerts());
            assertThat(back).hasSize(1);
            assertThat(back.get(0).getStatus().name()).isEqualTo("RESOLVED");
            assertThat(back.get(0).getAlertId()).isEqualTo(raised.getAlertId());
            assertThat(Double.parseDouble(back.get(0).getEvidence().get("probability"))).isLessThan(0.35);
        }
    }

    @Test
    void anAccountSilentPastTheHorizonIsNoLongerScoredAndNeedsNoTimer() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(modelBlock()))) {
            h.send(Ev.login(ACC, at(1, 9)));
            h.watermark(day(1 + HORIZON_DAYS + 10));
            List<AccountHealth> s = scored(h.newHealth());
            // Scored at the closes of days 1..30 (the last one within 30 days of the login), then no more.
            assertThat(s).hasSize(HORIZON_DAYS);
            assertThat(s.get(s.size() - 1).getAsOf().toEpochMilli()).isEqualTo(day(31));
            assertThat(h.timers()).isZero();
            // The risk came true: the episode stays open.
            assertThat(churnRisk(h.alerts())).extracting(a -> a.getStatus().name()).doesNotContain("RESOLVED");

            // Activity makes it live again.
            h.watermark(day(45));
            h.send(Ev.login(ACC, at(45, 9)));
            h.watermark(day(47));
            assertThat(scored(h.newHealth())).hasSize(2);
        }
    }

    @Test
    void withoutAModelNothingIsScoredAndNoCloseIsAskedFor() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(""))) {
            h.send(Ev.login(ACC, at(1, 9)));
            h.watermark(day(40));
            assertThat(scored(h.health())).isEmpty();
            assertThat(churnRisk(h.alerts())).isEmpty();
            assertThat(h.timers()).isZero();
        }
    }

    @Test
    void disabledItStillScoresTheHealthButRaisesNothing() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(modelBlock() + "signals:\n  churnRisk: {enabled: false}\n"))) {
            h.send(Ev.login(ACC, at(1, 9)));
            h.watermark(day(20));
            assertThat(scored(h.health())).hasSize(19);
            assertThat(churnRisk(h.alerts())).isEmpty();
        }
    }

    @Test
    void thresholdsMustLeaveAGapAndBandsMustRise() {
        assertThatThrownBy(() -> TestRules.with("signals:\n  churnRisk: {raiseAt: 0.5, resolveBelow: 0.5, highAt: 0.4}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "signals.churnRisk.resolveBelow: must be below raiseAt (0.5), got 0.5: the gap between them keeps the signal from flapping",
                        "signals.churnRisk.highAt: must be raiseAt (0.5) or more, got 0.4"));
    }

    @Test
    void aPlaybookTriggersOnChurnRiskLikeOnAnySignal() throws Exception {
        String shippedOff = PlaybookRules.defaults().playbooks.stream()
                .map(p -> "  " + p.name + ": {enabled: false}")
                .collect(Collectors.joining("\n", "playbooks:\n", "\n"));
        String acc = PlaybookTest.treated("propensity", "save-at-risk");
        Rules rules = TestRules.withPlaybooks(modelBlock() + shippedOff
                + "  save-at-risk:\n"
                + "    trigger: {signals: [CHURN_RISK], minSeverity: MEDIUM}\n"
                + "    holdoutPercent: 10\n"
                + "    steps:\n"
                + "      - {action: CREATE_CSM_TASK, params: {priority: high, task: \"Call: churn risk {severity}\"}}\n");
        try (DetectorHarness h = DetectorHarness.open(rules)) {
            h.send(Ev.login(acc, at(1, 9)));
            h.watermark(day(20));
            RiskAlert raised = churnRisk(h.alerts()).get(0);
            List<RetentionCommand> commands = PlaybookTest.of(h.commands(), "save-at-risk");
            assertThat(commands).hasSize(1);
            assertThat(commands.get(0).getAction()).hasToString("CREATE_CSM_TASK");
            assertThat(commands.get(0).getDisposition().name()).isEqualTo("SEND");
            assertThat(commands.get(0).getIssuedAt()).isEqualTo(raised.getDetectedAt());
            assertThat(commands.get(0).getReason().getSignal()).isEqualTo("CHURN_RISK");
        }
    }
}
