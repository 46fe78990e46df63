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

/** Builds alerts; the id depends only on account, signal, episode start and repeat at that start, so replays agree. */
public final class Alerts {
    private Alerts() {}

    public static String alertId(String accountId, Signal signal, long episodeStart) {
        return alertId(accountId, signal, episodeStart, 0);
    }

    /**
     * @param repeat {@link Episode#repeat}: 0 keeps the id every earlier version gave the episode; the second episode of
     *     one signal started at one instant names its repeat
     */
    public static String alertId(String accountId, Signal signal, long episodeStart, int repeat) {
        String seed = accountId + '|' + signal.name() + '|' + episodeStart + (repeat == 0 ? "" : "|" + repeat);
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static RiskAlert build(
            String accountId,
            Signal signal,
            Severity severity,
            AlertStatus status,
            long detectedAt,
            Episode episode,
            Map<String, String> evidence,
            String explanation,
            String ruleVersion,
            Health health) {
        return RiskAlert.newBuilder()
                .setAlertId(alertId(accountId, signal, episode.start, episode.repeat))
                .setAccountId(accountId)
                .setSignal(signal.name())
                .setSeverity(severity)
                .setStatus(status)
                .setDetectedAt(Instant.ofEpochMilli(detectedAt))
                .setEpisodeStart(Instant.ofEpochMilli(episode.start))
                .setEvidence(evidence)
                .setExplanation(explanation)
                .setRuleVersion(ruleVersion)
                .setHealthScore(health == null ? null : health.score())
                .setHealthTier(health == null ? null : health.tier().name())
                .build();
    }
}
