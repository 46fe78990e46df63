package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.detect.Alerts;
import io.churnradar.signals.Signal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Assertions on alerts read back from Kafka. */
final class AlertAssertions {
    private AlertAssertions() {}

    static PlantedSignals.Expected view(RiskAlert a) {
        return new PlantedSignals.Expected(a.getAccountId(), a.getSignal(), a.getStatus(), a.getSeverity(), a.getDetectedAt());
    }

    /**
     * Exactly the expected alerts, each once; episodes consistent (one alert id per episode, derived
     * from account, signal and the RAISED alert's detectedAt); nothing late.
     */
    static void assertExactly(List<RiskAlert> alerts, List<PlantedSignals.Expected> expected, String context) {
        List<PlantedSignals.Expected> actual = alerts.stream().map(AlertAssertions::view).collect(Collectors.toList());
        assertThat(actual).as("alerts, each exactly once (%s)", context).containsExactlyInAnyOrderElementsOf(expected);

        Map<String, RiskAlert> raised = new HashMap<>();
        for (RiskAlert a : alerts) {
            assertThat(a.getEvidence()).as("no late evidence in %s", a).doesNotContainKey("late");
            assertThat(a.getRuleVersion()).isEqualTo("default-1");
            if (a.getStatus() == AlertStatus.RAISED) {
                assertThat(a.getEpisodeStart()).isEqualTo(a.getDetectedAt());
                assertThat(raised.put(a.getAlertId(), a)).as("one RAISED per episode: %s", a).isNull();
            }
        }
        for (RiskAlert a : alerts) {
            RiskAlert r = raised.get(a.getAlertId());
            assertThat(r).as("the RAISED alert of %s", a).isNotNull();
            assertThat(a.getAccountId()).isEqualTo(r.getAccountId());
            assertThat(a.getSignal()).isEqualTo(r.getSignal());
            assertThat(a.getEpisodeStart()).as("episode of %s", a).isEqualTo(r.getDetectedAt());
            assertThat(a.getAlertId()).as("alert id of %s", a)
                    .isEqualTo(Alerts.alertId(a.getAccountId(), Signal.valueOf(a.getSignal()), r.getDetectedAt().toEpochMilli()));
        }
    }

    /** The evidence of the planted alerts, computed by hand (see {@link PlantedSignals}). */
    static void assertPlantedEvidence(List<RiskAlert> alerts) {
        assertThat(only(alerts, PlantedSignals.USAGE, "USAGE_DROP", AlertStatus.RAISED).getEvidence())
                .containsEntry("cur", "46").containsEntry("prev", "70").containsEntry("dropPercent", "34.3")
                .containsEntry("curWindow", "2026-03-12..2026-03-18").containsEntry("prevWindow", "2026-03-05..2026-03-11");
        assertThat(only(alerts, PlantedSignals.USAGE, "USAGE_DROP", AlertStatus.RESOLVED).getEvidence())
                .containsEntry("cur", "50").containsEntry("prev", "54");
        assertThat(only(alerts, PlantedSignals.QUIET, "INACTIVITY", AlertStatus.RAISED).getEvidence())
                .containsEntry("lastLoginAt", "2026-03-04T08:00:00Z").containsEntry("daysWithoutLogin", "14");
        assertThat(only(alerts, PlantedSignals.QUIET, "INACTIVITY", AlertStatus.RESOLVED).getEvidence())
                .containsEntry("loginAt", "2026-03-22T10:00:00Z");
        assertThat(only(alerts, PlantedSignals.PAY, "PAYMENT_FAILED", AlertStatus.RAISED).getEvidence())
                .containsEntry("consecutiveFailures", "1").containsEntry("invoiceId", "inv-p-5")
                .containsEntry("failureCode", "card_declined").containsEntry("amountMinor", "4900").containsEntry("currency", "EUR");
        assertThat(only(alerts, PlantedSignals.PAY, "PAYMENT_FAILED", AlertStatus.UPDATED).getEvidence())
                .containsEntry("consecutiveFailures", "3").containsEntry("invoiceId", "inv-p-11");
        assertThat(only(alerts, PlantedSignals.PAY, "PAYMENT_FAILED", AlertStatus.RESOLVED).getEvidence())
                .containsEntry("invoiceId", "inv-p-13");
        assertThat(only(alerts, PlantedSignals.TIX, "TICKET_SPIKE", AlertStatus.RAISED).getEvidence())
                .containsEntry("openedInWindow", "3").containsEntry("ticketId", "T-3").containsEntry("window", "2026-03-02..2026-03-08");
        assertThat(only(alerts, PlantedSignals.TIX, "TICKET_SPIKE", AlertStatus.RESOLVED).getEvidence())
                .containsEntry("openedInWindow", "2").containsEntry("window", "2026-03-06..2026-03-12");
    }

    static RiskAlert only(List<RiskAlert> alerts, String account, String signal, AlertStatus status) {
        List<RiskAlert> found = alerts.stream()
                .filter(a -> a.getAccountId().equals(account) && a.getSignal().equals(signal) && a.getStatus() == status)
                .collect(Collectors.toList());
        assertThat(found).as("%s %s %s", account, signal, status).hasSize(1);
        return found.get(0);
    }
}
