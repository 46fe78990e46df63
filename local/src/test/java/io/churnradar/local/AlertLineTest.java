package io.churnradar.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import java.time.Instant;
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
}
