package io.churnradar.score;

import io.churnradar.alerts.AccountHealth;
import java.time.Instant;
import java.util.List;

/** {@link Health} as the {@code AccountHealth} record of topic churn.account-health. */
public final class HealthRecords {
    private HealthRecords() {}

    public static AccountHealth toRecord(String accountId, Health h, long asOf, String ruleVersion) {
        List<io.churnradar.alerts.HealthComponent> components = h.components().stream()
                .map(c -> io.churnradar.alerts.HealthComponent.newBuilder()
                        .setName(c.name())
                        .setValue(c.value())
                        .setWeight(c.weight())
                        .setContribution(c.contribution())
                        .build())
                .toList();
        return AccountHealth.newBuilder()
                .setAccountId(accountId)
                .setScore(h.score())
                .setTier(h.tier())
                .setComponents(components)
                .setAsOf(Instant.ofEpochMilli(asOf))
                .setRuleVersion(ruleVersion)
                .build();
    }
}
