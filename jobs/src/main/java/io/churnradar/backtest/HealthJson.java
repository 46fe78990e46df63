package io.churnradar.backtest;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.ChurnContribution;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.detect.state.InstantText;

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
        String fast = plainLine(h, isFinal);
        return fast != null ? fast : generatedLine(h, isFinal);
    }

    /** A builder per thread, reused from line to line. */
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(1024));

    /**
     * The line of {@link #generatedLine}, written straight into a builder: a health line is written per
     * update (several per account and day), and the generator's per-field work was most of its cost.
     * Only when nothing in it needs escaping or Jackson's special cases (every text printable ASCII
     * without quote or backslash, every number finite, no churn score); null otherwise, for the generator.
     * Numbers print as the generator prints them (int as decimal, double as {@link Double#toString}).
     */
    static String plainLine(AccountHealth h, boolean isFinal) {
        if (h.getChurnProbability() != null || !plain(h.getAccountId()) || !plain(h.getRuleVersion()) || h.getAsOf() == null
                || h.getTier() == null) {
            return null;
        }
        for (HealthComponent c : h.getComponents()) {
            if (!plain(c.getName()) || !Double.isFinite(c.getValue()) || !Double.isFinite(c.getWeight())
                    || !Double.isFinite(c.getContribution())) {
                return null;
            }
        }
        StringBuilder b = LINE.get();
        b.setLength(0);
        b.append("{\"accountId\":\"").append(h.getAccountId()).append("\",\"asOf\":\"");
        InstantText.append(b, h.getAsOf())
                .append("\",\"score\":").append(h.getScore())
                .append(",\"tier\":\"").append(h.getTier().name())
                .append("\",\"components\":[");
        boolean first = true;
        for (HealthComponent c : h.getComponents()) {
            if (!first) b.append(',');
            first = false;
            b.append("{\"name\":\"").append(c.getName()).append("\",\"value\":");
            DecimalText.append(b, c.getValue()).append(",\"weight\":");
            DecimalText.append(b, c.getWeight()).append(",\"contribution\":");
            DecimalText.append(b, c.getContribution()).append('}');
        }
        b.append("],\"ruleVersion\":\"").append(h.getRuleVersion()).append("\",").append(isFinal ? FINAL_END : NOT_FINAL_END);
        return b.toString();
    }

    /** Printable ASCII without a quote or backslash: what the generator writes unescaped. */
    private static boolean plain(String s) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
        }
        return true;
    }

    /** The line by Jackson's generator: every case, escapes and churn scores included. */
    static String generatedLine(AccountHealth h, boolean isFinal) {
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
