package io.churnradar.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Payloads of the external sources as they deliver them (the shapes of the fixtures under
 * test resources payloads/), with the ids, accounts and times a history needs.
 */
public final class SourcePayloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SourcePayloads() {}

    private static long seconds(String iso) {
        return Instant.parse(iso).getEpochSecond();
    }

    private static ObjectNode stripeEvent(String id, String type, String createdIso, ObjectNode object) {
        ObjectNode e = JSON.createObjectNode();
        e.put("id", id).put("object", "event").put("api_version", "2023-10-16").put("created", seconds(createdIso));
        e.putObject("data").set("object", object);
        e.put("livemode", false).put("pending_webhooks", 1).put("type", type);
        e.putObject("request").putNull("id").putNull("idempotency_key");
        return e;
    }

    private static ObjectNode invoice(String invoiceId, String customer, String account, long amount) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", invoiceId).put("object", "invoice").put("currency", "eur").put("customer", customer)
                .put("amount_due", amount).put("billing_reason", "subscription_cycle").put("collection_method", "charge_automatically");
        o.putObject("subscription_details").putObject("metadata").put("account_id", account);
        return o;
    }

    /** invoice.paid or invoice.payment_succeeded of one invoice, paid at {@code paidIso}. */
    public static String stripeInvoicePaid(String eventId, String type, String invoiceId, String customer, String account, long amount,
            String paidIso, String createdIso) {
        ObjectNode inv = invoice(invoiceId, customer, account, amount);
        inv.put("amount_paid", amount).put("status", "paid").put("paid", true).put("attempt_count", 1);
        inv.putObject("status_transitions").put("paid_at", seconds(paidIso));
        return stripeEvent(eventId, type, createdIso, inv).toString();
    }

    /** invoice.payment_failed (or payment_action_required) of collection attempt {@code attempt}. */
    public static String stripeInvoiceFailed(String eventId, String type, String invoiceId, String customer, String account, long amount,
            int attempt, String createdIso) {
        ObjectNode inv = invoice(invoiceId, customer, account, amount);
        inv.put("amount_paid", 0).put("status", "open").put("paid", false).put("attempt_count", attempt);
        return stripeEvent(eventId, type, createdIso, inv).toString();
    }

    public static String stripeSubscriptionCreated(String eventId, String subscriptionId, String customer, String account,
            String createdIso, String periodEndIso) {
        ObjectNode sub = JSON.createObjectNode();
        sub.put("id", subscriptionId).put("object", "subscription").put("customer", customer).put("status", "active")
                .put("cancel_at_period_end", false).put("current_period_start", seconds(createdIso))
                .put("current_period_end", seconds(periodEndIso)).put("currency", "eur");
        sub.putObject("metadata").put("account_id", account);
        ObjectNode item = sub.putObject("items").put("object", "list").putArray("data").addObject();
        item.put("id", "si_" + subscriptionId).put("object", "subscription_item").put("quantity", 5);
        item.putObject("price").put("id", "price_team").put("object", "price").put("nickname", "Team").put("unit_amount", 1000)
                .putObject("recurring").put("interval", "month").put("interval_count", 1);
        return stripeEvent(eventId, "customer.subscription.created", createdIso, sub).toString();
    }

    public static String segmentGroup(String messageId, String userId, String groupId, String iso) {
        ObjectNode c = JSON.createObjectNode();
        c.put("type", "group").put("messageId", messageId).put("userId", userId).put("groupId", groupId).put("timestamp", iso);
        c.putObject("traits").put("name", groupId);
        return c.toString();
    }

    /** A track call; {@code groupId} null leaves the account to the user's group link. */
    public static String segmentTrack(String messageId, String userId, String groupId, String event, String iso) {
        ObjectNode c = JSON.createObjectNode();
        c.put("type", "track").put("messageId", messageId).put("event", event).put("timestamp", iso);
        if (userId != null) c.put("userId", userId);
        else c.put("anonymousId", "anon-" + messageId);
        ObjectNode ctx = c.putObject("context");
        ctx.putObject("library").put("name", "analytics.js").put("version", "2.11.1");
        if (groupId != null) ctx.put("groupId", groupId);
        c.putObject("properties");
        return c.toString();
    }

    public static String zendeskTicketCreated(String id, String ticketId, String organizationId, String priority, String iso) {
        ObjectNode e = JSON.createObjectNode();
        e.put("account_id", 22129848).put("id", id).put("subject", "zen:ticket:" + ticketId).put("time", iso)
                .put("type", "zen:event-type:ticket.created").put("zendesk_event_version", "2022-11-06");
        ObjectNode d = e.putObject("detail");
        d.put("id", ticketId).put("created_at", iso).put("updated_at", iso).put("priority", priority).put("status", "NEW")
                .put("requester_id", "8447388090494").put("subject", "Help").put("is_public", true);
        if (organizationId != null) d.put("organization_id", organizationId);
        else d.putNull("organization_id");
        e.putObject("event");
        return e.toString();
    }
}
