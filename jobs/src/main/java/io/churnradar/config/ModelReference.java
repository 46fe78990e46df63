package io.churnradar.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.propensity.ChurnModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * The churn propensity model a rule set names (block {@code model} of a rules file), loaded once when the
 * rules are read: either {@code uri} (a {@code file:} URI or a path) with the {@code sha256} it must have,
 * or {@code inline}, the model file in base64 (its {@code sha256} optional). Reading the bytes, checking
 * the digest and loading the trees all happen here, so a missing, corrupt or mismatched model makes the
 * rule set invalid with its key path, like any other error, and the rules in force stay.
 *
 * <p>Rule sets compare (and are acknowledged) by the model's digest: the same version naming another
 * model is a changed rule set.
 */
public final class ModelReference implements Serializable {
    private static final long serialVersionUID = 1L;
    /** A model larger than this is refused before it is read: trees for our features are far smaller. */
    public static final long MAX_MODEL_BYTES = 64L * 1024 * 1024;

    private final String uri;
    private final String sha256;
    /** Loaded once with the rules; serializable (its trees travel as bytes, the native booster is rebuilt). */
    private final ChurnModel model;
    /** The file as read, to inline it unchanged (its digest stays the same); not kept past the reader's JVM. */
    private final transient byte[] bytes;

    private ModelReference(String uri, String sha256, ChurnModel model, byte[] bytes) {
        this.uri = uri;
        this.sha256 = sha256;
        this.model = model;
        this.bytes = bytes;
    }

    /** A model read from a file by the launcher ({@code backtest --model}): its digest computed here. */
    public static ModelReference of(Path file) throws IOException {
        byte[] bytes = readBounded(file);
        return new ModelReference(file.toUri().toString(), sha256(bytes), ChurnModel.fromBytes(bytes), bytes);
    }

    /** The model's bytes' SHA-256, lower-case hex: what {@code model.sha256} must say. */
    @JsonProperty("sha256")
    public String sha256() {
        return sha256;
    }

    /** Where it was read from, or null when inline. */
    @JsonIgnore
    public String uri() {
        return uri;
    }

    @JsonIgnore
    public ChurnModel model() {
        return model;
    }

    /**
     * How alerts, statuses and logs name the model: the first 12 hex digits of its digest, its label and the
     * day it was trained until, e.g. {@code 3f4c0e1d2a9b (inactivity:90d, trained until 2011-06-30)}.
     */
    @JsonIgnore
    public String id() {
        return sha256.substring(0, 12) + " (" + model.definition() + ", trained until " + model.trainedUntil() + ")";
    }

    /** The model file in base64, as a rules text's {@code model.inline} carries it (the bytes read, so the digest holds). */
    public String inlineBase64() {
        return Base64.getEncoder().encodeToString(bytes != null ? bytes : model.toBytes());
    }

    /** Reads block {@code model} (null when the block is missing); problems go to {@code y} with their key paths. */
    static ModelReference read(YamlTree y, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return null;
        y.onlyKeys(n, "model", Set.of("uri", "sha256", "inline"));
        if (!n.isObject()) return null;
        String uri = y.text(YamlTree.child(n, "uri"), "model.uri", null);
        String inline = y.text(YamlTree.child(n, "inline"), "model.inline", null);
        JsonNode sha = YamlTree.child(n, "sha256");
        if (sha.isNumber()) {
            // A digest of digits only (or digits and one 'e') reads in YAML as a number, and its digits are lost.
            y.error("model.sha256", "write the SHA-256 in quotes (sha256: \"...\"): YAML reads these digits as the number " + sha.asText());
            return null;
        }
        String expected = y.text(sha, "model.sha256", null);
        if (expected != null) {
            expected = expected.trim().toLowerCase(Locale.ROOT);
            if (!expected.matches("[0-9a-f]{64}")) {
                y.error("model.sha256", "expected the model file's SHA-256 as 64 hex digits (sha256sum prints it), got '" + expected + "'");
                return null;
            }
        }
        if ((uri == null) == (inline == null)) {
            y.error("model", "name the model by uri (with its sha256) or give it inline (base64), one of the two");
            return null;
        }
        byte[] bytes;
        String where;
        if (uri != null) {
            if (expected == null) {
                // A file can change under its name; the digest pins the model the rule set was written for.
                y.error("model.sha256", "missing; a model named by uri needs its SHA-256 (sha256sum MODEL)");
                return null;
            }
            Path file;
            try {
                file = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
            } catch (RuntimeException e) {
                y.error("model.uri", "expected a file: URI such as file:///var/lib/churn-radar/model.json or a path, got '" + uri + "'");
                return null;
            }
            try {
                bytes = readBounded(file);
            } catch (IOException | RuntimeException e) {
                y.error("model.uri", "cannot read the model " + file + ": " + e.getMessage());
                return null;
            }
            where = "model.uri";
        } else {
            try {
                bytes = Base64.getMimeDecoder().decode(inline);
            } catch (IllegalArgumentException e) {
                y.error("model.inline", "not base64: " + e.getMessage());
                return null;
            }
            where = "model.inline";
        }
        String actual = sha256(bytes);
        if (expected != null && !expected.equals(actual)) {
            y.error("model.sha256", "the model has SHA-256 " + actual + ", the rules expect " + expected
                    + ": it is not the model this rule set was written for");
            return null;
        }
        ChurnModel model;
        try {
            model = ChurnModel.fromBytes(bytes);
        } catch (RuntimeException e) {
            y.error(where, e.getMessage());
            return null;
        }
        return new ModelReference(uri, actual, model, bytes);
    }

    private static byte[] readBounded(Path file) throws IOException {
        // The JDK's messages for these are the path alone, which a message that names the file already says.
        if (!Files.exists(file)) throw new IOException("no such file");
        if (Files.isDirectory(file)) throw new IOException("a folder, not a model file");
        long size = Files.size(file);
        if (size > MAX_MODEL_BYTES) throw new IOException("the model is " + size + " bytes, more than the " + MAX_MODEL_BYTES + " allowed");
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes((int) MAX_MODEL_BYTES);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
