package io.churnradar.topology;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Keeps personal data out of the alerts, on every path (streaming and backtest) just before their
 * sinks, unless the rules allow it ({@code privacy.includePersonalData}, off by default). The signals
 * already leave survey comments out and turn an e-mail user id into a pseudonym; this is the last
 * gate for what else the events carry in their free fields, which producers we do not control fill
 * as they like:
 * <ul>
 *   <li>an e-mail address anywhere in an evidence value or the explanation (a feature, a plan, a
 *       ticket or invoice id, a failure code) becomes the pseudonym the signals use ({@code user-<hash>},
 *       the same for the same address);</li>
 *   <li>a free-text reason (a cancellation reason that is not a code such as {@code too_expensive})
 *       and any comment are withheld, in the evidence and in the explanation;</li>
 *   <li>a user id with a blank in it (a name, not an id) becomes a pseudonym.</li>
 * </ul>
 * Commands (to the commands topic, the audit and the webhooks) get the same gate on their parameters:
 * a playbook's {@code {plan}} placeholder takes the plan the events name, another free field.
 * Account ids pass as they are: they are the key every consumer joins on (docs/operations.md).
 */
public final class PersonalData {
    /** What stands in the outputs for free text that is withheld. */
    public static final String WITHHELD = "(free text withheld)";
    /** Anything shaped like an address: a run of non-blank characters around an at sign. */
    static final Pattern EMAIL = Pattern.compile("[^\\s@<>()\\[\\],;:\"']+@[^\\s@<>()\\[\\],;:\"']+");
    /** A reason that is a code of the source system, not text a person wrote. */
    static final Pattern CODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}");

    private PersonalData() {}

    /** The alert as the outputs may carry it; the same object when it holds nothing to take out. */
    public static RiskAlert scrub(RiskAlert a) {
        String explanation = a.getExplanation();
        Map<String, String> evidence = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, String> e : a.getEvidence().entrySet()) {
            String key = String.valueOf(e.getKey());
            String value = e.getValue() == null ? null : String.valueOf(e.getValue());
            String out = value;
            if (value != null) {
                if (key.equals("comment")) {
                    out = null;
                } else if (key.equals("reason") && !CODE.matcher(value).matches()) {
                    out = WITHHELD;
                } else if (key.equals("userId") && value.chars().anyMatch(Character::isWhitespace)) {
                    out = pseudonym(value);
                } else {
                    out = addresses(value);
                }
                if (out == null || !out.equals(value)) {
                    changed = true;
                    if (explanation != null && value.length() >= 3) explanation = explanation.replace(value, out == null ? WITHHELD : out);
                }
            }
            if (out != null || value == null) evidence.put(key, out);
        }
        String cleanExplanation = explanation == null ? null : addresses(explanation);
        if (!changed && (cleanExplanation == null || cleanExplanation.equals(a.getExplanation()))) return a;
        return RiskAlert.newBuilder(a).setEvidence(evidence).setExplanation(cleanExplanation).build();
    }

    /**
     * The command as the outputs may carry it: an e-mail address in a parameter becomes its pseudonym;
     * the same object when there is none. The parameters come from the rules, written by an operator,
     * except what a placeholder filled in from the events ({@code {plan}}): that is where an address can
     * come from, and the gate cannot tell the two apart, so it looks at every value.
     */
    public static RetentionCommand scrub(RetentionCommand c) {
        Map<String, String> params = new java.util.TreeMap<>();
        boolean changed = false;
        for (Map.Entry<String, String> e : c.getParams().entrySet()) {
            String value = e.getValue() == null ? null : String.valueOf(e.getValue());
            String out = value == null ? null : addresses(value);
            changed |= out != null && !out.equals(value);
            params.put(String.valueOf(e.getKey()), out);
        }
        return changed ? RetentionCommand.newBuilder(c).setParams(params).build() : c;
    }

    /** {@code text} with every e-mail address in it replaced by its pseudonym. */
    static String addresses(String text) {
        if (text.indexOf('@') < 0) return text;
        Matcher m = EMAIL.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(pseudonym(m.group())));
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The pseudonym the signals give an e-mail user id ({@code Evidence.userId}), for any text: stable,
     * so that a CSM can still tell users apart.
     */
    static String pseudonym(String id) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "user-" + java.util.HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The alerts' gate as an operator: a pass-through when the rules allow personal data. */
    static final class Alerts implements MapFunction<RiskAlert, RiskAlert> {
        private static final long serialVersionUID = 1L;
        private final boolean allowed;

        Alerts(boolean allowed) {
            this.allowed = allowed;
        }

        @Override
        public RiskAlert map(RiskAlert a) {
            return allowed ? a : scrub(a);
        }
    }

    /** The commands' gate as an operator, before the audit, the commands topic and the webhooks. */
    static final class Commands implements MapFunction<RetentionCommand, RetentionCommand> {
        private static final long serialVersionUID = 1L;
        private final boolean allowed;

        Commands(boolean allowed) {
            this.allowed = allowed;
        }

        @Override
        public RetentionCommand map(RetentionCommand c) {
            return allowed ? c : scrub(c);
        }
    }
}
