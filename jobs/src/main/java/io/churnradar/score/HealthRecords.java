package io.churnradar.score;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.ChurnContribution;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.propensity.ChurnScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Health} as the {@code AccountHealth} record of topic churn.account-health. Built with the
 * generated all-fields constructors: Avro's builders copy and validate every field, which costs more
 * than the score itself, and an update is published about once a day per account.
 */
public final class HealthRecords {
    private HealthRecords() {}

    public static AccountHealth toRecord(String accountId, Health h, long asOf, String ruleVersion) {
        return toRecord(accountId, h, asOf, ruleVersion, null, 0);
    }

    /**
     * @param churn the churn score of the day close this update is published at, or null (not scored then)
     * @param churnScoredAt that close
     */
    public static AccountHealth toRecord(String accountId, Health h, long asOf, String ruleVersion, ChurnScore churn, long churnScoredAt) {
        List<HealthComponent> components = new ArrayList<>(h.components().size());
        for (ScoreComponent c : h.components()) {
            components.add(new HealthComponent(c.name(), c.value(), c.weight(), c.contribution()));
        }
        List<ChurnContribution> contributions = List.of();
        if (churn != null && !churn.topContributions().isEmpty()) {
            contributions = new ArrayList<>(churn.topContributions().size());
            for (ChurnScore.Contribution c : churn.topContributions()) {
                contributions.add(new ChurnContribution(c.feature(), Float.isNaN(c.value()) ? null : (double) c.value(), c.contribution()));
            }
        }
        return new AccountHealth(accountId, h.score(), h.tier(), components, Instant.ofEpochMilli(asOf), ruleVersion,
                churn == null ? null : churn.probability(), churn == null ? null : Instant.ofEpochMilli(churnScoredAt), contributions);
    }
}
