package io.churnradar.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Reads a JSON Lines file a line at a time; a line that is not a JSON object is skipped and counted, never fatal. */
final class JsonLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    /** Calls {@code each} with every object line of {@code file}; returns the lines skipped (blank ones are not counted). */
    static long forEach(Path file, Consumer<JsonNode> each) throws IOException {
        long skipped = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    skipped++;
                    continue;
                }
                if (n == null || !n.isObject()) {
                    skipped++;
                    continue;
                }
                try {
                    each.accept(n);
                } catch (RuntimeException e) { // a field of the wrong kind: that line only
                    skipped++;
                }
            }
        }
        return skipped;
    }

    /** A text field, or null when absent or not text. */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** A number field, or null when absent or not a number. */
    static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }
}
