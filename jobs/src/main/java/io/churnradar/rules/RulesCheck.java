package io.churnradar.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Rules;
import io.churnradar.config.YamlTree;
import io.churnradar.detect.SignalEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
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
        try {
            Rules rules = Rules.parse(text, source);
            new SignalEngine(rules); // what the detector builds from it must build
            return new Result(rules.version, rules, List.of());
        } catch (ConfigException e) {
            return new Result(declaredVersion(text), null, e.errors());
        } catch (RuntimeException e) {
            return new Result(declaredVersion(text), null, List.of("(rules): the detection rules cannot be built: " + e.getMessage()));
        }
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
