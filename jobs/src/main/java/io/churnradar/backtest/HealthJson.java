package io.churnradar.backtest;

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
    private static final String NOT_FINAL_END = "\"final\":false}";
    private static final String FINAL_END = "\"final\":true}";

    private HealthJson() {}

    public static String toJson(AccountHealth h, boolean isFinal) {
        return JsonLine.object(n -> {
            n.put("accountId", h.getAccountId());
            n.put("asOf", h.getAsOf().toString());
            n.put("score", h.getScore());
            n.put("tier", h.getTier().name());
            n.startArray("components");
            for (HealthComponent c : h.getComponents()) {
                n.startObject()
                        .put("name", c.getName())
                        .put("value", c.getValue())
                        .put("weight", c.getWeight())
                        .put("contribution", c.getContribution())
                        .endObject();
            }
            n.endArray();
            n.put("ruleVersion", h.getRuleVersion());
            if (h.getChurnProbability() != null) {
                // Only on the updates of a day close scored by a churn model: other lines stay as they were.
                n.put("churnProbability", h.getChurnProbability());
                n.put("churnScoredAt", h.getChurnScoredAt().toString());
                n.startArray("churnContributions");
                for (ChurnContribution c : h.getChurnContributions()) {
                    n.startObject()
                            .put("feature", c.getFeature())
                            .put("value", c.getValue())
                            .put("contribution", c.getContribution())
                            .endObject();
                }
                n.endArray();
            }
            n.put("final", isFinal);
        });
    }

    /**
     * The closing line of {@code changeJson}, a line of {@link #toJson} with {@code final} false: the same
     * with {@code final} true ({@code final} is its last field), without writing the update again.
     */
    public static String asFinal(String changeJson) {
        if (!changeJson.endsWith(NOT_FINAL_END)) throw new IllegalArgumentException("not a health change line: " + changeJson);
        return changeJson.substring(0, changeJson.length() - NOT_FINAL_END.length()) + FINAL_END;
    }

    /** One line of {@code scores.jsonl}: {@code {"accountId","at","probability"}} of a scored day close. */
    public static String scoreJson(AccountHealth h) {
        return JsonLine.object(n -> n
                .put("accountId", h.getAccountId())
                .put("at", h.getChurnScoredAt().toString())
                .put("probability", h.getChurnProbability()));
    }
}
