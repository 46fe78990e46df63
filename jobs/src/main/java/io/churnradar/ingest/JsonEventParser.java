package io.churnradar.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * Reads one JSON Lines event, the backtest's input: {@code type} chooses the event, the other
 * fields are the Avro schema's; {@code eventTime} is an ISO-8601 instant or epoch milliseconds.
 */
public final class JsonEventParser {
    /** Anything after the object is an error: two events run together on one line must not lose the second. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonEventParser() {}

    public static AccountEvent parse(String line) throws InvalidEventException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new InvalidEventException("not a JSON object");
        return parse(n, null);
    }

    /**
     * Reads one event object. {@code topicType} is the event type of the Kafka topic it came from:
     * there {@code type} may be left out, and must name that type when given; null for a file, where
     * {@code type} is required.
     */
    public static AccountEvent parse(JsonNode n, EventType topicType) throws InvalidEventException {
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

    private static String text(JsonNode n, String field, boolean required) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw new InvalidEventException(field + " is missing");
            return null;
        }
        if (!v.isTextual()) throw new InvalidEventException(field + " must be a string, got " + v);
        return v.asText();
    }

    private static double number(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (!v.isNumber()) throw new InvalidEventException(field + " must be a number, got " + v);
        return v.asDouble();
    }

    private static long wholeNumber(JsonNode n, String field) throws InvalidEventException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new InvalidEventException(field + " is missing");
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new InvalidEventException(field + " must be a whole number, got " + v);
        return v.asLong();
    }

    private static long time(JsonNode n) throws InvalidEventException {
        JsonNode v = n.get("eventTime");
        if (v == null || v.isNull()) throw new InvalidEventException("eventTime is missing");
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isTextual()) {
            try {
                return Instant.parse(v.asText()).toEpochMilli();
            } catch (DateTimeParseException ex) {
                throw new InvalidEventException("eventTime '" + v.asText() + "' is not an ISO-8601 instant such as 2026-03-02T10:15:00Z");
            }
        }
        throw new InvalidEventException("eventTime must be an ISO-8601 instant or epoch milliseconds, got " + v);
    }

    private static <E extends Enum<E>> E symbol(JsonNode n, String field, Class<E> type, E dflt) throws InvalidEventException {
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
