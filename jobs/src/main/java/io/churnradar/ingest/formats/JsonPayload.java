package io.churnradar.ingest.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.IsoInstants;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reading the fields of a JSON payload, each wrong shape a readable dead-letter reason that names the field. */
public final class JsonPayload {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonPayload() {}

    /** The payload as a JSON object. */
    public static JsonNode object(byte[] payload) throws InvalidEventException {
        if (payload == null) throw new InvalidEventException("empty record value (tombstone)");
        JsonNode n;
        try {
            n = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not valid JSON: " + io.churnradar.ingest.JsonProblem.of(e));
        } catch (IOException e) {
            throw new InvalidEventException("not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) throw new InvalidEventException("not a JSON object");
        return n;
    }

    /** The node at a dotted path such as {@code data.object.customer}; missing when any step is. */
    public static JsonNode at(JsonNode n, String path) {
        JsonNode cur = n;
        for (String step : path.split("\\.")) {
            if (cur == null || !cur.isObject()) return MissingNode.getInstance();
            cur = cur.get(step);
        }
        return cur == null ? MissingNode.getInstance() : cur;
    }

    public static boolean present(JsonNode n, String path) {
        JsonNode v = at(n, path);
        return !v.isMissingNode() && !v.isNull();
    }

    /** A string field; null when absent or null. */
    public static String text(JsonNode n, String path) throws InvalidEventException {
        JsonNode v = at(n, path);
        if (v.isMissingNode() || v.isNull()) return null;
        if (!v.isTextual()) throw new InvalidEventException(path + " must be a string, got " + v);
        return v.asText();
    }

    public static String requiredText(JsonNode n, String path) throws InvalidEventException {
        String s = text(n, path);
        if (s == null || s.isBlank()) throw new InvalidEventException(path + " is missing");
        return s;
    }

    /** An id, written as a string or a whole number (help desks differ); null when absent, null or empty. */
    public static String id(JsonNode n, String path) throws InvalidEventException {
        JsonNode v = at(n, path);
        if (v.isMissingNode() || v.isNull()) return null;
        if (v.isTextual()) return v.asText().isBlank() ? null : v.asText();
        if (v.isIntegralNumber()) return v.asText();
        throw new InvalidEventException(path + " must be a string or a whole number, got " + v);
    }

    /** An object's id: a string, or an expanded object whose {@code id} is one. */
    public static String idOrExpanded(JsonNode n, String path) throws InvalidEventException {
        JsonNode v = at(n, path);
        if (v.isObject()) return id(v, "id");
        return id(n, path);
    }

    /** A whole number; null when absent or null. */
    public static Long whole(JsonNode n, String path) throws InvalidEventException {
        JsonNode v = at(n, path);
        if (v.isMissingNode() || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new InvalidEventException(io.churnradar.ingest.JsonEventParser.notWhole(path, v));
        return v.asLong();
    }

    public static long requiredWhole(JsonNode n, String path) throws InvalidEventException {
        Long v = whole(n, path);
        if (v == null) throw new InvalidEventException(path + " is missing");
        return v;
    }

    public static Boolean bool(JsonNode n, String path) throws InvalidEventException {
        JsonNode v = at(n, path);
        if (v.isMissingNode() || v.isNull()) return null;
        if (!v.isBoolean()) throw new InvalidEventException(path + " must be true or false, got " + v);
        return v.asBoolean();
    }

    /** Unix seconds (Stripe's timestamps) as epoch milliseconds. */
    public static Long epochSeconds(JsonNode n, String path) throws InvalidEventException {
        Long s = whole(n, path);
        if (s == null) return null;
        if (s < 0 || s > Long.MAX_VALUE / 1000) throw new InvalidEventException(path + " is not a Unix time in seconds: " + s);
        return s * 1000;
    }

    /** An ISO-8601 instant as epoch milliseconds; null when absent. */
    public static Long instant(JsonNode n, String path) throws InvalidEventException {
        String s = text(n, path);
        if (s == null) return null;
        try {
            return IsoInstants.toEpochMilli(s);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new InvalidEventException(path + " '" + s + "' is not an ISO-8601 instant such as 2026-03-02T10:15:00Z");
            }
        }
    }

    /** The first of the dotted paths that holds an id, or null. */
    public static String firstId(JsonNode n, Iterable<String> paths) throws InvalidEventException {
        for (String p : paths) {
            String v = id(n, p);
            if (v != null) return v;
        }
        return null;
    }
}
