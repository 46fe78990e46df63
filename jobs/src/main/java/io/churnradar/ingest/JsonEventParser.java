package io.churnradar.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one JSON Lines event, the backtest's input: {@code type} chooses the event, the other
 * fields are the Avro schema's; {@code eventTime} is an ISO-8601 instant or epoch milliseconds.
 */
public final class JsonEventParser {
    /** Anything after the object is an error: two events run together on one line must not lose the second. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** For a nested value inside a line: the line goes on after it, so no check for what follows. */
    private static final ObjectMapper NESTED = new ObjectMapper();

    private JsonEventParser() {}

    /**
     * Reads one line. It is read token by token into the fields an event has, not into a tree of the whole
     * line: Jackson's tree costs a deserialization context, a map and a node per field for every line, which
     * was 60% of reading an event (the backtest reads a million a run). The fields are the nodes the tree
     * would have held ({@link #scalar}), so every check below is the one the topics' objects go through;
     * anything but an object is read as a tree, for the same reason and message as before.
     */
    public static AccountEvent parse(String line) throws InvalidEventException {
        try (JsonParser p = JSON.getFactory().createParser(line)) {
            LineFields fields = read(p);
            return fields != null ? parse(fields, null) : parseTree(line);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * The same for a line as UTF-8 bytes, read without making a string of them first when they are ASCII, as
     * a typical line is. Others are read as the string the JDK decodes them to (with replacement characters
     * for what is not UTF-8): Jackson's byte parser decodes broken UTF-8 inside a string leniently.
     */
    public static AccountEvent parse(byte[] utf8) throws InvalidEventException {
        AccountEvent e = parsePlain(utf8, null);
        return e != null ? e : parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /**
     * An ASCII object read token by token, as {@link #parse(JsonNode, EventType)} would read its tree; null when it
     * is not ASCII, not an object or not valid JSON: the caller reads those as a tree, for the reason it has always
     * given (Jackson's byte parser words some syntax errors otherwise than its string parser; they are rare).
     */
    public static AccountEvent parsePlain(byte[] payload, EventType topicType) throws InvalidEventException {
        if (!ascii(payload)) return null;
        LineFields fields;
        try (JsonParser p = JSON.getFactory().createParser(payload)) {
            fields = read(p);
        } catch (IOException e) {
            return null;
        }
        return fields == null ? null : parse(fields, topicType);
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) return false;
        }
        return true;
    }

    /** The fields of the object {@code p} starts with, or null when it does not start with one. */
    private static LineFields read(JsonParser p) throws IOException, InvalidEventException {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        LineFields fields = new LineFields();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            int slot = LineFields.slot(name);
            JsonToken t = p.nextToken();
            if (slot < 0) {
                p.skipChildren(); // still read, so a syntax error anywhere in the line is one
            } else {
                fields.values[slot] = t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY ? NESTED.readTree(p) : scalar(p, t);
            }
        }
        // nextFieldName ended at the object's end (anything else there is a syntax error): a lost newline must not
        // silently drop a second event after it.
        if (p.nextToken() != null) {
            String more = p.getText();
            throw new InvalidEventException("not valid JSON: '" + (more.length() > 40 ? more.substring(0, 40) + "..." : more)
                    + "' follows the event object; one event a line");
        }
        return fields;
    }

    private static InvalidEventException unreadable(IOException e) {
        return new InvalidEventException("not valid JSON: "
                + (e instanceof JsonProcessingException j ? JsonProblem.of(j) : e.getMessage()));
    }

    /** The whole line read as a tree, as every line was before: for what is not an object, and for the tests to compare. */
    static AccountEvent parseTree(String line) throws InvalidEventException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not valid JSON: " + JsonProblem.of(e));
        }
        if (n == null || !n.isObject()) throw new InvalidEventException("not a JSON object");
        return parse(n, null);
    }

    /** The node Jackson's tree makes of a scalar ({@code JsonNodeDeserializer}: ints by their size, floats as doubles). */
    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> TextNode.valueOf(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> IntNode.valueOf(p.getIntValue());
                case LONG -> LongNode.valueOf(p.getLongValue());
                default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(p.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.instance;
            default -> throw new IllegalStateException("not a scalar: " + t);
        };
    }

    /** The fields of an event object, by name: a tree's object or the ones read from a line. */
    private interface Fields {
        JsonNode get(String field);

        default boolean hasNonNull(String field) {
            JsonNode v = get(field);
            return v != null && !v.isNull();
        }
    }

    /**
     * The fields an event may have, each in a slot; any other is skipped. The last of a name repeated wins, as in
     * Jackson's tree. A field the checks below read must be named here: {@link #get} fails on any other.
     */
    private static final class LineFields implements Fields {
        private static final String[] NAMES = {"type", "eventId", "accountId", "eventTime", "userId", "feature", "quantity",
            "ticketId", "status", "priority", "csat", "amountMinor", "currency", "invoiceId", "failureCode", "cardExpiry", "survey",
            "score", "comment", "action", "plan", "mrrMinor", "seats", "renewalDate", "reason", "doNotContact"};
        private static final Map<String, Integer> SLOTS = slots();
        final JsonNode[] values = new JsonNode[NAMES.length];

        private static Map<String, Integer> slots() {
            Map<String, Integer> m = new HashMap<>();
            for (int i = 0; i < NAMES.length; i++) m.put(NAMES[i], i);
            return Map.copyOf(m);
        }

        static int slot(String name) {
            Integer i = SLOTS.get(name);
            return i == null ? -1 : i;
        }

        @Override
        public JsonNode get(String field) {
            int i = slot(field);
            if (i < 0) throw new IllegalArgumentException("not a field of an event: " + field);
            return values[i];
        }
    }

    /**
     * Reads one event object. {@code topicType} is the event type of the Kafka topic it came from:
     * there {@code type} may be left out, and must name that type when given; null for a file, where
     * {@code type} is required.
     */
    public static AccountEvent parse(JsonNode n, EventType topicType) throws InvalidEventException {
        return parse(n::get, topicType);
    }

    private static AccountEvent parse(Fields n, EventType topicType) throws InvalidEventException {
        String typeName = text(n, "type", topicType == null);
        EventType type = typeName == null ? topicType : EventType.fromJsonName(typeName);
        if (type == null) {
            throw new InvalidEventException("unknown type '" + typeName + "'; allowed: " + EventType.jsonNames());
        }
        if (topicType != null && type != topicType) {
            throw new InvalidEventException("type '" + typeName + "' on a topic of " + topicType.jsonName + " events");
        }
        AccountEvent e = AccountEvent.of(type, text(n, "eventId", true), text(n, "accountId", true), time(n));
        e.userId = text(n, "userId", false);
        switch (type) {
            case USAGE -> {
                e.feature = text(n, "feature", true);
                e.quantity = n.hasNonNull("quantity") ? number(n, "quantity") : 1.0;
            }
            case SUPPORT_TICKET -> {
                e.ticketId = text(n, "ticketId", true);
                e.ticketStatus = symbol(n, "status", TicketStatus.class, null);
                e.priority = symbol(n, "priority", TicketPriority.class, TicketPriority.NORMAL);
                if (n.hasNonNull("csat")) {
                    long csat = wholeNumber(n, "csat");
                    // Checked before the cast: 4294967298 must not wrap around to a valid rating of 2.
                    if (csat < 1 || csat > 5) throw new InvalidEventException("csat must be 1..5, got " + csat);
                    e.csat = (int) csat;
                }
            }
            case PAYMENT -> {
                e.paymentStatus = symbol(n, "status", PaymentStatus.class, null);
                e.amountMinor = wholeNumber(n, "amountMinor");
                e.currency = text(n, "currency", true);
                e.invoiceId = text(n, "invoiceId", true);
                e.failureCode = text(n, "failureCode", false);
                e.cardExpiry = text(n, "cardExpiry", false);
            }
            case FEEDBACK -> {
                e.survey = symbol(n, "survey", SurveyType.class, null);
                long score = wholeNumber(n, "score");
                if (score < Integer.MIN_VALUE || score > Integer.MAX_VALUE) throw new InvalidEventException("score out of range: " + score);
                e.score = (int) score;
                e.comment = text(n, "comment", false);
            }
            case SUBSCRIPTION -> {
                e.action = symbol(n, "action", SubscriptionAction.class, null);
                e.plan = text(n, "plan", false);
                e.mrrMinor = n.hasNonNull("mrrMinor") ? wholeNumber(n, "mrrMinor") : null;
                if (n.hasNonNull("seats")) {
                    long seats = wholeNumber(n, "seats");
                    if (seats < 0 || seats > Integer.MAX_VALUE) throw new InvalidEventException("seats must be 0.." + Integer.MAX_VALUE + ", got " + seats);
                    e.seats = (int) seats;
                }
                e.renewalDate = text(n, "renewalDate", false);
                e.reason = text(n, "reason", false);
                if (n.hasNonNull("doNotContact")) {
                    JsonNode dnc = n.get("doNotContact");
                    if (!dnc.isBoolean()) throw new InvalidEventException("doNotContact must be true or false, got " + dnc);
                    e.doNotContact = dnc.booleanValue();
                }
            }
            case LOGIN -> {}
        }
        return EventValidator.check(e);
    }

    private static String text(Fields n, String field, boolean required) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new InvalidEventException(field + " is missing");
            return null;
        }
        if (!v.isTextual()) throw new InvalidEventException(field + " must be a string, got " + v);
        return v.asText();
    }

    private static double number(Fields n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (!v.isNumber()) throw new InvalidEventException(field + " must be a number, got " + v);
        return v.asDouble();
    }

    private static long wholeNumber(Fields n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new InvalidEventException(field + " is missing");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new InvalidEventException(notWhole(field, v));
        return v.asLong();
    }

    /** Why {@code v} is not a whole number of 64 bits, in words that tell a decimal point from a number too large. */
    public static String notWhole(String field, JsonNode v) {
        if (v.isIntegralNumber()) return field + " must be a whole number within 64 bits, got " + v.asText() + ": too large";
        if (v.isNumber()) return field + " must be a whole number, written without a decimal point or exponent, got " + v.asText();
        return field + " must be a whole number, got " + v;
    }

    private static long time(Fields n) throws InvalidEventException {
        JsonNode v = n.get("eventTime");
        if (v == null || v.isNull()) throw new InvalidEventException("eventTime is missing");
        if (v.isIntegralNumber()) {
            // A number beyond 64 bits would wrap into a plausible time: it is out of range, as written.
            if (!v.canConvertToLong()) throw new InvalidEventException("eventTime " + v.asText() + " is not epoch milliseconds: too large");
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return IsoInstants.toEpochMilli(v.asText());
            } catch (DateTimeParseException ex) {
                throw new InvalidEventException("eventTime '" + v.asText() + "' is not an ISO-8601 instant such as 2026-03-02T10:15:00Z");
            } catch (ArithmeticException ex) {
                // A valid instant beyond epoch milliseconds' range (year +999999999): out of range, as any far instant is.
                throw new InvalidEventException("eventTime '" + v.asText() + "' is outside 2000-01-01..2100-01-01");
            }
        }
        throw new InvalidEventException("eventTime must be an ISO-8601 instant or epoch milliseconds, got " + v);
    }

    private static <E extends Enum<E>> E symbol(Fields n, String field, Class<E> type, E dflt) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (dflt != null) return dflt;
            throw new InvalidEventException(field + " is missing");
        }
        for (E c : type.getEnumConstants()) {
            if (c.name().equals(v.asText())) return c;
        }
        throw new InvalidEventException(field + " '" + v.asText() + "' is not one of " + Arrays.toString(type.getEnumConstants()));
    }
}
