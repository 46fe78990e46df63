package io.churnradar.detect;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.score.Health;
import io.churnradar.signals.Signal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds alerts; the id depends only on account, signal and episode start, so replays agree. */
public final class Alerts {
    private Alerts() {}

    public static String alertId(String accountId, Signal signal, long episodeStart) {
        String seed = accountId + '|' + signal.name() + '|' + episodeStart;
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static RiskAlert build(
            String accountId,
            Signal signal,
            Severity severity,
            AlertStatus status,
            long detectedAt,
            long episodeStart,
            Map<String, String> evidence,
            String explanation,
            String ruleVersion,
            Health health) {
        return RiskAlert.newBuilder()
                .setAlertId(alertId(accountId, signal, episodeStart))
                .setAccountId(accountId)
                .setSignal(signal.name())
                .setSeverity(severity)
                .setStatus(status)
                .setDetectedAt(Instant.ofEpochMilli(detectedAt))
                .setEpisodeStart(Instant.ofEpochMilli(episodeStart))
                .setEvidence(evidence)
                .setExplanation(explanation)
                .setRuleVersion(ruleVersion)
                .setHealthScore(health == null ? null : health.score())
                .setHealthTier(health == null ? null : health.tier().name())
                .build();
    }
}
