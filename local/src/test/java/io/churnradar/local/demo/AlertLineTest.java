package io.churnradar.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.alerts.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLineTest {
    @Test
    void oneAlignedLinePerAlert() {
        RiskAlert a = RiskAlert.newBuilder()
                .setAlertId("id").setAccountId("acct-0042").setSignal("USAGE_DROP").setSeverity(Severity.HIGH)
                .setStatus(AlertStatus.RAISED).setDetectedAt(Instant.parse("2026-03-24T00:00:00Z"))
                .setEpisodeStart(Instant.parse("2026-03-24T00:00:00Z")).setEvidence(Map.of())
                .setExplanation("Usage fell 34.3% over the last 7 days (46 against 70 the 7 days before).")
                .setRuleVersion("default-1").build();
        assertThat(AlertLine.of(a)).isEqualTo("2026-03-24 00:00Z  RAISED   HIGH      USAGE_DROP      acct-0042  "
                + "Usage fell 34.3% over the last 7 days (46 against 70 the 7 days before).");
    }

    @Test
    void oneLinePerRulesStatus() {
        RulesStatus.Builder b = RulesStatus.newBuilder().setReceivedAt(Instant.EPOCH).setSourceTopic("churn.rules")
                .setSourcePartition(0).setSourceOffset(3).setSourceKey("rules");
        assertThat(AlertLine.of(b.setVersion("v2").setStatus(RulesDecision.APPLIED).setErrors(List.of())
                .setActiveVersion("v2").setPreviousVersion("default-1").build()))
                .isEqualTo("(rules v2)         APPLIED  in force (were default-1)");
        assertThat(AlertLine.of(b.setVersion(null).setStatus(RulesDecision.REJECTED)
                .setErrors(List.of("version: missing", "signals.inactivity.days: must be between 1 and 365, got 0"))
                .setActiveVersion("v2").setPreviousVersion("v2").build()))
                .isEqualTo("(rules ?)          REJECTED v2 stay in force; version: missing; "
                        + "signals.inactivity.days: must be between 1 and 365, got 0");
    }
}
