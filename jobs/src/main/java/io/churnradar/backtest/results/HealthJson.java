package io.churnradar.backtest.results;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.ChurnContribution;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.detect.state.InstantText;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A health update as one line of {@code health.jsonl}: the fields of {@link AccountHealth} (instants as
 * ISO-8601 UTC, components in the order the score lists them) and {@code final}: false for each change,
 * true on the one closing line per account that holds its last score. An update published at a day close
 * scored by a churn model also has {@code churnProbability} and {@code churnContributions}.
 */
public final class HealthJson {
    private static final String NOT_FINAL_END = "\"final\":false}";
    private static final String FINAL_END = "\"final\":true}";
    private static final byte[] NOT_FINAL_END_BYTES = NOT_FINAL_END.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINAL_END_BYTES = FINAL_END.getBytes(StandardCharsets.US_ASCII);

    private HealthJson() {}

    public static String toJson(AccountHealth h, boolean isFinal) {
        String fast = plainLine(h, isFinal);
        return fast != null ? fast : generatedLine(h, isFinal);
    }

    /** A builder per thread, reused from line to line, and the text of the components as last written. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The text around each component's value and contribution, {@code {"name":"N","value":} and
     * {@code ,"weight":W,"contribution":}, kept per place in the list with the name and weight it was written for: the
     * names and weights are the rules' and the same on every line, and writing them (checking the name's characters,
     * the weight's digits) was a third of the line's cost. Reused when the name is the same (first by reference: the
     * score hands out its constants) and the weight has the same bits.
     */
    private static final class Scratch {
        final StringBuilder line = new StringBuilder(1024);
        String[] names = new String[0];
        long[] weightBits = new long[0];
        String[] heads = new String[0];
        String[] middles = new String[0];
        /** The rule version last found plain (by reference). */
        String plainRuleVersion;

        /** Whether component {@code i}'s text is there (made now if not); false when its name or weight needs the generator. */
        boolean component(int i, String name, double weight) {
            if (i >= names.length) {
                int n = Math.max(8, 2 * i);
                names = Arrays.copyOf(names, n);
                weightBits = Arrays.copyOf(weightBits, n);
                heads = Arrays.copyOf(heads, n);
                middles = Arrays.copyOf(middles, n);
            }
            long bits = Double.doubleToRawLongBits(weight);
            String known = names[i];
            if (known != null && (known == name || known.equals(name)) && weightBits[i] == bits) return true;
            if (!plain(name) || !Double.isFinite(weight)) return false;
            names[i] = name;
            weightBits[i] = bits;
            heads[i] = "{\"name\":\"" + name + "\",\"value\":";
            middles[i] = DecimalText.append(new StringBuilder(",\"weight\":"), weight).append(",\"contribution\":").toString();
            return true;
        }
    }

    /**
     * The line of {@link #generatedLine}, written straight into a builder: a health line is written per
     * update (several per account and day), and the generator's per-field work was most of its cost.
     * Only when nothing in it needs escaping or Jackson's special cases (every text printable ASCII
     * without quote or backslash, every number finite, no churn score); null otherwise, for the generator.
     * Numbers print as the generator prints them (int as decimal, double as {@link Double#toString}).
     */
    static String plainLine(AccountHealth h, boolean isFinal) {
        String ruleVersion = h.getRuleVersion();
        if (h.getChurnProbability() != null || !plain(h.getAccountId()) || h.getAsOf() == null || h.getTier() == null || ruleVersion == null) {
            return null;
        }
        Scratch scratch = SCRATCH.get();
        if (ruleVersion != scratch.plainRuleVersion) {
            if (!plain(ruleVersion)) return null;
            scratch.plainRuleVersion = ruleVersion;
        }
        List<HealthComponent> components = h.getComponents();
        for (int i = 0; i < components.size(); i++) {
            HealthComponent c = components.get(i);
            if (!scratch.component(i, c.getName(), c.getWeight()) || !Double.isFinite(c.getValue()) || !Double.isFinite(c.getContribution())) {
                return null;
            }
        }
        StringBuilder b = scratch.line;
        b.setLength(0);
        b.append("{\"accountId\":\"").append(h.getAccountId()).append("\",\"asOf\":\"");
        InstantText.append(b, h.getAsOf())
                .append("\",\"score\":").append(h.getScore())
                .append(",\"tier\":\"").append(h.getTier().name())
                .append("\",\"components\":[");
        for (int i = 0; i < components.size(); i++) {
            HealthComponent c = components.get(i);
            if (i > 0) b.append(',');
            b.append(scratch.heads[i]);
            DecimalText.append(b, c.getValue()).append(scratch.middles[i]);
            DecimalText.append(b, c.getContribution()).append('}');
        }
        b.append("],\"ruleVersion\":\"").append(ruleVersion).append("\",").append(isFinal ? FINAL_END : NOT_FINAL_END);
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
        byte[] line = changeJson.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(line.length);
        try {
            writeAsFinal(line, 0, line.length, out); // one rule for the line, as the merge writes it
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // not from memory
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the closing line of a change line held as the {@code length} UTF-8 bytes of {@code line} at {@code at}, as
     * {@link #asFinal} makes it, straight from the bytes: the merge writes one per account, and through a {@code String}
     * each made four copies of the line, 1.4 GB of garbage for 611,214 accounts (the CPU was about the same). The one
     * rule for a closing line: {@link #asFinal} writes it too.
     *
     * @return the bytes written
     */
    static int writeAsFinal(byte[] line, int at, int length, OutputStream out) throws IOException {
        int kept = length - NOT_FINAL_END_BYTES.length;
        if (kept < 0 || !Arrays.equals(line, at + kept, at + length, NOT_FINAL_END_BYTES, 0, NOT_FINAL_END_BYTES.length)) {
            throw new IllegalArgumentException("not a health change line: " + new String(line, at, length, StandardCharsets.UTF_8));
        }
        out.write(line, at, kept);
        out.write(FINAL_END_BYTES);
        return kept + FINAL_END_BYTES.length;
    }

    /** One line of {@code scores.jsonl}: {@code {"accountId","at","probability"}} of a scored day close. */
    public static String scoreJson(AccountHealth h) {
        return JsonLine.object(n -> n
                .put("accountId", h.getAccountId())
                .put("at", h.getChurnScoredAt().toString())
                .put("probability", h.getChurnProbability()));
    }
}
