package io.churnradar.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.ChurnContribution;
import io.churnradar.alerts.HealthComponent;

/**
 * A health update as one line of {@code health.jsonl}: the fields of {@link AccountHealth} (instants as
 * ISO-8601 UTC, components in the order the score lists them) and {@code final}: false for each change,
 * true on the one closing line per account that holds its last score. An update published at a day close
 * scored by a churn model also has {@code churnProbability} and {@code churnContributions}.
 */
public final class HealthJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HealthJson() {}

    public static String toJson(AccountHealth h, boolean isFinal) {
        ObjectNode n = JSON.createObjectNode();
        n.put("accountId", h.getAccountId());
        n.put("asOf", h.getAsOf().toString());
        n.put("score", h.getScore());
        n.put("tier", h.getTier().name());
        ArrayNode components = n.putArray("components");
        for (HealthComponent c : h.getComponents()) {
            components.addObject()
                    .put("name", c.getName())
                    .put("value", c.getValue())
                    .put("weight", c.getWeight())
                    .put("contribution", c.getContribution());
        }
        n.put("ruleVersion", h.getRuleVersion());
        if (h.getChurnProbability() != null) {
            // Only on the updates of a day close scored by a churn model: other lines stay as they were.
            n.put("churnProbability", h.getChurnProbability());
            n.put("churnScoredAt", h.getChurnScoredAt().toString());
            ArrayNode contributions = n.putArray("churnContributions");
            for (ChurnContribution c : h.getChurnContributions()) {
                ObjectNode o = contributions.addObject().put("feature", c.getFeature());
                if (c.getValue() == null) o.putNull("value");
                else o.put("value", c.getValue());
                o.put("contribution", c.getContribution());
            }
        }
        n.put("final", isFinal);
        return n.toString();
    }

    /** One line of {@code scores.jsonl}: {@code {"accountId","at","probability"}} of a scored day close. */
    public static String scoreJson(AccountHealth h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("accountId", h.getAccountId());
        n.put("at", h.getChurnScoredAt().toString());
        n.put("probability", h.getChurnProbability());
        return n.toString();
    }
}
