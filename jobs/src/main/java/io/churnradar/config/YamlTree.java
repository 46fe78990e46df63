package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A YAML document read key by key, collecting every problem with its key path instead of stopping
 * at the first, so one run of the validator shows the user all that is wrong.
 */
public final class YamlTree {
    /**
     * A key twice in one mapping is an error: the parser would keep the last one without a word. A key without a value
     * ({@code formats:}, its options commented out) is null, as YAML says, not an empty text that no section accepts.
     */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLParser.Feature.EMPTY_STRING_AS_NULL).build());

    private final String source;
    private final List<String> errors = new ArrayList<>();

    private YamlTree(String source) {
        this.source = source;
    }

    public static YamlTree forSource(String source) {
        return new YamlTree(source);
    }

    /** The most a rules or settings file may hold: far beyond any real one, and short of what fills the heap. */
    public static final int MAX_FILE_BYTES = 4 << 20;

    /**
     * The text of a rules or settings file, UTF-8. A file larger than {@link #MAX_FILE_BYTES} (a device, a data file given by
     * mistake) is refused instead of read whole: read, it ran out of memory with an advice to give more heap.
     *
     * @throws java.nio.charset.CharacterCodingException when it is not UTF-8
     */
    public static String readText(Path file) throws IOException {
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ConfigException(file.toString(), List.of("(file): larger than " + (MAX_FILE_BYTES >> 20) + " MiB, too large for a rules or"
                    + " settings file; is it the right file?"));
        }
        return java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    }

    public static JsonNode readFile(Path file) {
        try {
            return parse(readText(file), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
    }

    public static JsonNode parse(String text, String source) {
        try (com.fasterxml.jackson.core.JsonParser p = YAML.createParser(text)) {
            JsonNode root = p.nextToken() == null ? null : YAML.readTree(p);
            if (p.nextToken() != null) {
                // A second document (after ---) would be passed over without a word: its keys never checked nor used.
                throw new ConfigException(source, List.of("(root): the file holds more than one YAML document (a second one starts at line "
                        + p.currentTokenLocation().getLineNr() + "); keep one, without ---"));
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                return YAML.createObjectNode();
            }
            if (!root.isObject()) {
                throw new ConfigException(source, List.of("(root): expected a mapping of keys"));
            }
            return root;
        } catch (IOException e) {
            throw new ConfigException(source, List.of("not valid YAML " + syntaxError(e)));
        }
    }

    /**
     * Where the YAML went wrong and how, in one line: "at line 3, column 1: expected ',' or ']', but got
     * &lt;stream end&gt; (while parsing a flow sequence from line 2, column 14)". The parser's own message spans
     * several lines, the first of which names neither the place nor the problem.
     */
    static String syntaxError(IOException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            String context = m.getContext() == null ? ""
                    : " (" + m.getContext() + (m.getContextMark() == null ? "" : " from " + place(m.getContextMark().getLine(),
                            m.getContextMark().getColumn())) + ")";
            return "at " + place(m.getProblemMark().getLine(), m.getProblemMark().getColumn()) + ": " + m.getProblem() + context;
        }
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
            String problem = j.getOriginalMessage().split("\n")[0];
            java.util.regex.Matcher twice = java.util.regex.Pattern.compile("Duplicate field '(.*)'").matcher(problem);
            if (twice.matches()) problem = "the key '" + twice.group(1) + "' is given twice in one mapping; keep one";
            return "at " + place(j.getLocation().getLineNr() - 1, j.getLocation().getColumnNr() - 1) + ": " + problem;
        }
        return ": " + e.getMessage().split("\n")[0];
    }

    /** A 0-based line and column as people count them. */
    private static String place(int line, int column) {
        return "line " + (line + 1) + ", column " + (column + 1);
    }

    public String source() {
        return source;
    }

    public void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    /** Throws a {@link ConfigException} naming the file when any problem was found. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
    }

    public List<String> errors() {
        return errors;
    }

    public static JsonNode child(JsonNode node, String key) {
        JsonNode c = node == null ? null : node.get(key);
        return c == null ? MissingNode.getInstance() : c;
    }

    public static String path(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** Reports keys that are not among the allowed ones: a typo must not silently fall back to a default. */
    public void onlyKeys(JsonNode node, String path, Set<String> allowed) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            error(path.isEmpty() ? "(root)" : path, "expected a mapping of keys");
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                error(path(path, k), "unknown key; allowed keys here: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    /**
     * Whether a setting is left out (its default applies). A key written without a value ({@code days:}) is a mistake,
     * not a way to ask for the default: it says so, and the default applies meanwhile. (A section written without keys,
     * such as {@code formats:} with its options commented out, is read by {@link #onlyKeys} as one without keys.)
     */
    private boolean absent(JsonNode node, String path) {
        if (node.isMissingNode()) return true;
        if (!node.isNull()) return false;
        error(path, "no value: give one, or leave the key out for its default");
        return true;
    }

    public double number(JsonNode node, String path, double dflt, double min, double max) {
        if (absent(node, path)) return dflt;
        if (!node.isNumber()) {
            error(path, "expected a number between " + fmt(min) + " and " + fmt(max) + ", got '" + node.asText() + "'");
            return dflt;
        }
        double v = node.asDouble();
        if (v < min || v > max) {
            error(path, "must be between " + fmt(min) + " and " + fmt(max) + ", got " + fmt(v));
        }
        return v;
    }

    public int integer(JsonNode node, String path, int dflt, int min, int max) {
        if (absent(node, path)) return dflt;
        if (!node.isIntegralNumber()) {
            error(path, "expected a whole number between " + min + " and " + max + ", got '" + node.asText() + "'");
            return dflt;
        }
        if (!node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            // As written: a number beyond 64 bits kept to them would name a value the user never wrote.
            error(path, "must be between " + min + " and " + max + ", got " + node.asText());
            return dflt;
        }
        return (int) node.asLong();
    }

    public boolean bool(JsonNode node, String path, boolean dflt) {
        if (absent(node, path)) return dflt;
        if (node.isTextual() && (node.asText().equalsIgnoreCase("true") || node.asText().equalsIgnoreCase("false"))) {
            return node.asText().equalsIgnoreCase("true"); // "true" in quotes means what it says
        }
        if (!node.isBoolean()) {
            error(path, "expected true or false, got " + shown(node));
            return dflt;
        }
        return node.asBoolean();
    }

    public String text(JsonNode node, String path, String dflt) {
        if (absent(node, path)) return dflt;
        if (!node.isValueNode() || node.asText().isBlank()) {
            error(path, "expected a non-empty text value");
            return dflt;
        }
        return node.asText();
    }

    /** A value as the file gives it, for a message: a scalar in quotes, a list or mapping as such (asText gives them as ''). */
    static String shown(JsonNode node) {
        if (node.isArray()) return "a list " + node;
        if (node.isObject()) return "a mapping " + node;
        return "'" + node.asText() + "'";
    }

    public <E extends Enum<E>> E enumValue(JsonNode node, String path, Class<E> type, E dflt) {
        if (absent(node, path)) return dflt;
        String t = node.isValueNode() ? node.asText().trim().toUpperCase() : "";
        for (E e : type.getEnumConstants()) {
            if (node.isValueNode() && e.name().equals(t)) return e;
        }
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) allowed.add(e.name());
        error(path, (node.isValueNode() ? "'" + node.asText() + "' is not allowed" : "expected one value, got " + shown(node))
                + "; allowed values: " + String.join(", ", allowed));
        return dflt;
    }

    public Duration duration(JsonNode node, String path, Duration dflt, Duration min, Duration max) {
        if (absent(node, path)) return dflt;
        Duration d = Durations.parse(node.asText());
        if (d == null) {
            error(path, "expected a duration such as 500ms, 30s, 10m, 2h or 7d" + (Durations.lacksUnit(node.asText()) ? " (with its unit)" : "")
                    + ", got '" + node.asText() + "'");
            return dflt;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            error(path, "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", got " + node.asText());
            return dflt;
        }
        return d;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
