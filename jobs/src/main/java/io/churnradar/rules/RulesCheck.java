package io.churnradar.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Durations;
import io.churnradar.config.Rules;
import io.churnradar.config.YamlTree;
import io.churnradar.detect.SignalEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The one validation of a rule set, used by the job before it applies a set from the rules topic and by
 * {@code ./churn-radar rules validate} and {@code rules publish}: the rules file format of
 * {@link Rules#parse} (every error with its key path), and the detection engine must build from it.
 */
public final class RulesCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RulesCheck() {}

    /** The verdict on one rules text: the rules when valid, else every error as {@code key.path: message}. */
    public record Result(String version, Rules rules, List<String> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public static Result check(String text, String source) {
        return check(text, source, null, null);
    }

    /** As above, for a job whose {@code state.ttl} is {@code stateTtl} (null: none), set in {@code configSource}. */
    public static Result check(String text, String source, Duration stateTtl, String configSource) {
        try {
            Rules rules = Rules.parse(text, source);
            new SignalEngine(rules); // what the detector builds from it must build
            List<String> ttl = withinStateTtl(rules, stateTtl, configSource);
            if (!ttl.isEmpty()) return new Result(rules.version, null, ttl);
            return new Result(rules.version, rules, List.of());
        } catch (ConfigException e) {
            return new Result(declaredVersion(text), null, e.errors());
        } catch (RuntimeException e) {
            return new Result(declaredVersion(text), null, List.of("(rules): the detection rules cannot be built: " + e.getMessage()));
        }
    }

    /**
     * What a rule set asks that the job's {@code state.ttl} cannot keep: nothing (an empty list) unless
     * {@code dedup.windowDays} is longer than the TTL. The ids an account lists for de-duplication expire with the TTL
     * even while it sends events (the TTL is Flink's, in processing time, per list entry), so such a window would count
     * a duplicate older than the TTL as new, in the stream though not in a backtest of the same events.
     *
     * @param stateTtl the job's {@code state.ttl}; null: state kept for ever, nothing to check
     * @param configSource where the TTL was set, for the message (a file, or the defaults)
     */
    public static List<String> withinStateTtl(Rules rules, Duration stateTtl, String configSource) {
        if (stateTtl == null || Duration.ofDays(rules.dedupWindowDays).compareTo(stateTtl) <= 0) return List.of();
        return List.of("dedup.windowDays: " + rules.dedupWindowDays + " days is longer than state.ttl (" + Durations.format(stateTtl)
                + (configSource == null ? "" : ", " + configSource) + "): the job forgets an event id once it is older than"
                + " state.ttl, so a duplicate sent later would count as new; allowed: 1 to " + stateTtl.toDays()
                + " with this state.ttl, or a state.ttl of at least " + rules.dedupWindowDays + "d");
    }

    /**
     * Refuses, before a job starts, rules from {@code rulesSource} that its {@code state.ttl} cannot keep
     * ({@link #withinStateTtl}): the exception names the rules file, the key and the values allowed.
     */
    public static void requireWithinStateTtl(Rules rules, String rulesSource, Duration stateTtl, String configSource) {
        List<String> errors = withinStateTtl(rules, stateTtl, configSource);
        if (!errors.isEmpty()) throw new ConfigException(rulesSource, errors);
    }

    /**
     * The text the detector receives for a valid rule set: the same rules, with a model named by {@code uri}
     * inlined (base64, with its digest), so that the detector's subtasks and the checkpointed broadcast state
     * never read the file again: a model file moved or replaced later changes nothing that was applied.
     * A text without a model, or with one inline already, is passed on as it is.
     */
    public static String forDetector(String text, Rules rules) {
        if (rules.model == null || rules.model.uri() == null) return text;
        try {
            ObjectNode root = (ObjectNode) YamlTree.parse(text, "rules");
            ObjectNode model = root.putObject("model");
            model.put("sha256", rules.model.sha256());
            model.put("inline", rules.model.inlineBase64());
            return YAML.writeValueAsString(root);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot inline the model into rules " + rules.version + ": " + e.getMessage(), e);
        }
    }

    /** The version a text names, read as leniently as possible (for the status of a set that is not valid), or null. */
    public static String declaredVersion(String text) {
        try {
            JsonNode v = YamlTree.child(YamlTree.parse(text, "rules"), "version");
            return v.isValueNode() && !v.asText().isBlank() ? v.asText() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether two rule sets say the same thing, whatever their layout, comments or key order: the job
     * acknowledges a set equal to the one in force again, and rejects a different set under the same version.
     */
    public static boolean sameRules(Rules a, Rules b) {
        try {
            return JSON.valueToTree(a).equals(JSON.valueToTree(b));
        } catch (IllegalArgumentException e) {
            // A field type Jackson cannot write: compare the serialized forms (Rules are Serializable).
            return Arrays.equals(serialized(a), serialized(b));
        }
    }

    private static byte[] serialized(Rules r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the rules", e);
        }
        return bytes.toByteArray();
    }
}
