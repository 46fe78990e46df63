package io.churnradar.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** One event as a line of our JSON Lines, the backtest's input: what {@link JsonEventParser} reads back. */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {}

    public static String toJson(AccountEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", e.type.jsonName);
        n.put("eventId", e.eventId);
        n.put("accountId", e.accountId);
        n.put("eventTime", Instant.ofEpochMilli(e.eventTime).toString());
        if (e.userId != null) n.put("userId", e.userId);
        switch (e.type) {
            case USAGE -> {
                n.put("feature", e.feature);
                n.put("quantity", e.quantity);
            }
            case SUPPORT_TICKET -> {
                n.put("ticketId", e.ticketId);
                n.put("status", e.ticketStatus.name());
                n.put("priority", e.priority.name());
                if (e.csat != null) n.put("csat", e.csat);
            }
            case PAYMENT -> {
                n.put("status", e.paymentStatus.name());
                n.put("amountMinor", e.amountMinor);
                n.put("currency", e.currency);
                n.put("invoiceId", e.invoiceId);
                if (e.failureCode != null) n.put("failureCode", e.failureCode);
                if (e.cardExpiry != null) n.put("cardExpiry", e.cardExpiry);
            }
            case FEEDBACK -> {
                n.put("survey", e.survey.name());
                n.put("score", e.score);
                if (e.comment != null) n.put("comment", e.comment);
            }
            case SUBSCRIPTION -> {
                n.put("action", e.action.name());
                if (e.plan != null) n.put("plan", e.plan);
                if (e.mrrMinor != null) n.put("mrrMinor", e.mrrMinor);
                if (e.seats != null) n.put("seats", e.seats);
                if (e.renewalDate != null) n.put("renewalDate", e.renewalDate);
                if (e.reason != null) n.put("reason", e.reason);
            }
            case LOGIN -> {}
        }
        return n.toString();
    }
}
