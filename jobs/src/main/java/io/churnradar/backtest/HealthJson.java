package io.churnradar.backtest;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;

/**
 * A health update as one line of {@code health.jsonl}: the fields of {@link AccountHealth} (instants as
 * ISO-8601 UTC, components in the order the score lists them) and {@code final}: false for each change,
 * true on the one closing line per account that holds its last score.
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
}
