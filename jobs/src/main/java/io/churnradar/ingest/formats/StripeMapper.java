package io.churnradar.ingest.formats;

import static io.churnradar.ingest.formats.JsonPayload.at;
import static io.churnradar.ingest.formats.JsonPayload.bool;
import static io.churnradar.ingest.formats.JsonPayload.epochSeconds;
import static io.churnradar.ingest.formats.JsonPayload.idOrExpanded;
import static io.churnradar.ingest.formats.JsonPayload.present;
import static io.churnradar.ingest.formats.JsonPayload.requiredText;
import static io.churnradar.ingest.formats.JsonPayload.text;
import static io.churnradar.ingest.formats.JsonPayload.whole;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Stripe Event objects as delivered to a webhook endpoint; docs/inputs.md has the table. Invoice and
 * charge events become payments, subscription events subscription changes, payment-method and expiring
 * source events the card on file. Event ids are built from the Stripe object, not the Stripe event, where
 * two events announce one fact ({@code invoice.paid} and {@code invoice.payment_succeeded}), so the
 * detector's de-duplication counts it once.
 */
final class StripeMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;
    /** Carries a card update on a payment that is neither success nor failure: ISO 4217's "no currency". */
    static final String NO_CURRENCY = "XXX";

    private final String accountMetadataKey;

    StripeMapper(String accountMetadataKey) {
        this.accountMetadataKey = accountMetadataKey;
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        JsonNode n = JsonPayload.object(payload);
        if (present(n, "object") && !"event".equals(text(n, "object"))) {
            throw new InvalidEventException("not a Stripe event: object is '" + text(n, "object") + "'");
        }
        String type = requiredText(n, "type");
        String eventId = requiredText(n, "id");
        Long created = epochSeconds(n, "created");
        if (created == null) throw new InvalidEventException("created is missing");
        JsonNode o = at(n, "data.object");
        if (!o.isObject()) throw new InvalidEventException("data.object is missing or not an object");
        JsonNode prev = at(n, "data.previous_attributes");
        return switch (type) {
            case "invoice.paid", "invoice.payment_succeeded" -> Mapped.of(invoicePaid(o, created));
            case "invoice.payment_failed", "invoice.payment_action_required" -> Mapped.of(invoiceFailed(o, created, type));
            case "charge.succeeded", "charge.failed", "charge.refunded" -> charge(o, created, type);
            case "customer.subscription.created" -> Mapped.of(subscription(o, "stripe:subscription:" + id(o) + ":created", created,
                    SubscriptionAction.STARTED));
            case "customer.subscription.updated" -> subscriptionUpdated(o, prev, eventId, created);
            case "customer.subscription.deleted" -> {
                AccountEvent e = subscription(o, "stripe:subscription:" + id(o) + ":deleted", created, SubscriptionAction.CANCELED);
                e.mrrMinor = 0L;
                e.renewalDate = null;
                e.reason = cancellationReason(o);
                yield Mapped.of(e);
            }
            case "customer.subscription.paused" -> {
                AccountEvent e = subscription(o, "stripe:" + eventId, created, SubscriptionAction.CANCEL_REQUESTED);
                e.reason = "paused";
                yield Mapped.of(e);
            }
            case "customer.subscription.resumed" -> Mapped.of(subscription(o, "stripe:" + eventId, created, SubscriptionAction.REACTIVATED));
            case "customer.subscription.trial_will_end" -> Mapped.skipped(
                    "customer.subscription.trial_will_end: the trial's end is the renewal date the subscription's own events carry");
            case "payment_method.attached", "payment_method.updated", "payment_method.automatically_updated" -> cardOnFile(
                    o, at(o, "card"), "stripe:" + eventId, created, "payment_method " + id(o));
            case "customer.source.expiring" -> cardOnFile(o, at(o, "card").isObject() ? at(o, "card") : o, "stripe:" + eventId,
                    created, "source " + id(o));
            default -> throw new InvalidEventException("Stripe event type '" + type + "' carries no churn signal we read;"
                    + " send invoice.*, charge.*, customer.subscription.*, payment_method.* and customer.source.expiring (docs/inputs.md)");
        };
    }

    private AccountEvent invoicePaid(JsonNode inv, long created) throws InvalidEventException {
        String invoice = id(inv);
        Long paidAt = epochSeconds(inv, "status_transitions.paid_at");
        // Both announcements of one payment carry the same time and id: the detector counts it once.
        AccountEvent e = AccountEvent.of(EventType.PAYMENT, "stripe:invoice:" + invoice + ":paid", account(inv, "invoice " + invoice),
                paidAt != null ? paidAt : created);
        e.paymentStatus = PaymentStatus.SUCCEEDED;
        e.amountMinor = amount(inv, "amount_paid");
        e.currency = currency(inv);
        e.invoiceId = invoice;
        return e;
    }

    private AccountEvent invoiceFailed(JsonNode inv, long created, String type) throws InvalidEventException {
        String invoice = id(inv);
        Long attempt = whole(inv, "attempt_count");
        // One collection attempt is announced by payment_failed and, when the bank asks for
        // authentication, payment_action_required: the attempt number makes them one failure.
        AccountEvent e = AccountEvent.of(EventType.PAYMENT, "stripe:invoice:" + invoice + ":failed:" + (attempt == null ? 0 : attempt),
                account(inv, "invoice " + invoice), created);
        e.paymentStatus = PaymentStatus.FAILED;
        e.amountMinor = amount(inv, "amount_due");
        e.currency = currency(inv);
        e.invoiceId = invoice;
        e.failureCode = type.equals("invoice.payment_action_required") ? "authentication_required"
                : firstText(inv, "payment_intent.last_payment_error.decline_code", "payment_intent.last_payment_error.code");
        return e;
    }

    private Mapped charge(JsonNode ch, long created, String type) throws InvalidEventException {
        String charge = id(ch);
        String invoice = idOrExpanded(ch, "invoice");
        String account = account(ch, "charge " + charge);
        AccountEvent e = AccountEvent.of(EventType.PAYMENT, null, account, created);
        e.currency = currency(ch);
        e.invoiceId = invoice != null ? invoice : charge;
        e.cardExpiry = cardExpiry(at(ch, "payment_method_details.card"));
        switch (type) {
            case "charge.succeeded" -> {
                e.paymentStatus = PaymentStatus.SUCCEEDED;
                e.amountMinor = amount(ch, "amount");
                // The charge that pays an invoice is the invoice's payment: one id for the three events.
                e.eventId = invoice != null ? "stripe:invoice:" + invoice + ":paid" : "stripe:charge:" + charge + ":succeeded";
            }
            case "charge.failed" -> {
                if (invoice != null) {
                    return Mapped.skipped("charge.failed of invoice " + invoice + ": counted from invoice.payment_failed");
                }
                e.paymentStatus = PaymentStatus.FAILED;
                e.amountMinor = amount(ch, "amount");
                e.failureCode = firstText(ch, "failure_code", "outcome.reason");
                e.eventId = "stripe:charge:" + charge + ":failed";
            }
            default -> {
                e.paymentStatus = PaymentStatus.REFUNDED;
                e.amountMinor = amount(ch, "amount_refunded");
                // A second partial refund is a new fact: the refunded total tells them apart.
                e.eventId = "stripe:charge:" + charge + ":refunded:" + e.amountMinor;
            }
        }
        if (type.equals("charge.succeeded") && invoice != null && e.cardExpiry != null) {
            // The invoice's events announce this payment under the same id, without the card, and whichever is counted,
            // the card must be seen: it comes also as a card-on-file event of its own.
            Mapped card = cardOnFile(ch, at(ch, "payment_method_details.card"), "stripe:charge:" + charge + ":card", created,
                    "charge " + charge);
            return Mapped.of(java.util.stream.Stream.concat(java.util.stream.Stream.of(e), card.events.stream()).toList());
        }
        return Mapped.of(e);
    }

    private Mapped subscriptionUpdated(JsonNode sub, JsonNode prev, String eventId, long created) throws InvalidEventException {
        if (!prev.isObject()) return Mapped.skipped("customer.subscription.updated without data.previous_attributes: nothing to compare");
        String id = "stripe:" + eventId;
        Boolean cancelAtEnd = bool(sub, "cancel_at_period_end");
        boolean cancelNow = Boolean.TRUE.equals(cancelAtEnd) || present(sub, "cancel_at");
        boolean cancelBefore = prev.has("cancel_at_period_end") ? prev.get("cancel_at_period_end").asBoolean()
                : prev.has("cancel_at") ? !prev.get("cancel_at").isNull() : cancelNow;
        if (cancelNow && !cancelBefore) {
            AccountEvent e = subscription(sub, id, created, SubscriptionAction.CANCEL_REQUESTED);
            e.reason = cancellationReason(sub);
            return Mapped.of(e);
        }
        if (!cancelNow && cancelBefore) return Mapped.of(subscription(sub, id, created, SubscriptionAction.REACTIVATED));
        ItemChanges items = ItemChanges.of(prev, sub);
        if (items.priceChanged || prev.has("plan")) {
            return Mapped.of(subscription(sub, id, created, SubscriptionAction.PLAN_CHANGED));
        }
        if (prev.has("quantity") || items.quantityChanged) return Mapped.of(subscription(sub, id, created, SubscriptionAction.SEATS_CHANGED));
        if (prev.has("current_period_end") || prev.has("current_period_start") || items.periodMoved) {
            return Mapped.of(subscription(sub, id, created, SubscriptionAction.RENEWED));
        }
        return Mapped.skipped("customer.subscription.updated changed " + fieldNames(prev) + ": no plan, seat, renewal or cancellation change");
    }

    /**
     * What changed in a subscription's items, from {@code previous_attributes.items}: since API version 2025-03-31 the
     * billing period lives on each item, so a renewal changes the items too, and only their prices tell a plan change
     * from it. Items are matched by id; a different count or an item that is new or gone is a plan change.
     */
    private record ItemChanges(boolean priceChanged, boolean quantityChanged, boolean periodMoved) {
        static ItemChanges of(JsonNode prev, JsonNode sub) {
            if (!prev.has("items")) return new ItemChanges(false, false, false);
            JsonNode before = at(prev, "items.data");
            JsonNode now = at(sub, "items.data");
            if (!before.isArray() || !now.isArray() || before.size() != now.size()) return new ItemChanges(true, false, false);
            boolean price = false, quantity = false, period = false;
            for (JsonNode old : before) {
                JsonNode cur = null;
                for (JsonNode n : now) {
                    if (n.path("id").asText("").equals(old.path("id").asText(null))) cur = n;
                }
                if (cur == null) return new ItemChanges(true, false, false);
                if (old.has("price") || old.has("plan")) price |= !priceId(old).equals(priceId(cur));
                if (old.has("quantity")) quantity |= !old.get("quantity").equals(cur.path("quantity"));
                if (old.has("current_period_end")) period |= !old.get("current_period_end").equals(cur.path("current_period_end"));
                if (old.has("current_period_start")) period |= !old.get("current_period_start").equals(cur.path("current_period_start"));
            }
            return new ItemChanges(price, quantity, period);
        }

        private static String priceId(JsonNode item) {
            JsonNode price = item.has("price") ? item.get("price") : item.path("plan");
            return price.isTextual() ? price.asText() : price.path("id").asText("");
        }
    }

    private AccountEvent subscription(JsonNode sub, String eventId, long created, SubscriptionAction action) throws InvalidEventException {
        AccountEvent e = AccountEvent.of(EventType.SUBSCRIPTION, eventId, account(sub, "subscription " + id(sub)), created);
        e.action = action;
        JsonNode items = at(sub, "items.data");
        JsonNode first = items.isArray() && items.size() > 0 ? items.get(0) : null;
        if (first != null) {
            JsonNode price = first.has("price") ? first.get("price") : first.path("plan");
            e.plan = firstText(price, "nickname", "lookup_key", "id");
            Long q = whole(first, "quantity");
            if (q != null && q >= 0 && q <= Integer.MAX_VALUE) e.seats = q.intValue();
        }
        e.mrrMinor = monthlyRecurring(items);
        Long end = epochSeconds(sub, "current_period_end");
        if (end == null && first != null) end = epochSeconds(first, "current_period_end"); // API versions since 2025-03-31
        if (end != null) e.renewalDate = Instant.ofEpochMilli(end).atZone(ZoneOffset.UTC).toLocalDate().toString();
        return e;
    }

    /**
     * Sum over the items of unit amount × quantity, normalised to a month (a year ÷ 12, a week × 52/12,
     * a day × 365/12, each ÷ interval_count); null when an item has no unit amount (tiered or metered
     * prices), or an interval other than these four or an interval_count below 1, since a guess would raise
     * false downgrades.
     */
    static Long monthlyRecurring(JsonNode items) throws InvalidEventException {
        if (!items.isArray() || items.isEmpty()) return null;
        double total = 0;
        for (JsonNode item : items) {
            JsonNode price = item.has("price") ? item.get("price") : item.path("plan");
            Long unit = whole(price, "unit_amount");
            if (unit == null) unit = whole(price, "amount"); // legacy plan objects
            if (unit == null) return null;
            Long q = whole(item, "quantity");
            long quantity = q == null ? 1 : q;
            String interval = firstText(price, "recurring.interval", "interval");
            Long count = whole(price, price.has("recurring") ? "recurring.interval_count" : "interval_count");
            // An interval Stripe does not have, or a count below one, is no price to normalise: no guess, as above.
            if (count != null && count < 1) return null;
            double per = count == null ? 1 : count;
            double monthly;
            switch (interval == null ? "month" : interval) {
                case "day" -> monthly = unit * 365.0 / 12 / per;
                case "week" -> monthly = unit * 52.0 / 12 / per;
                case "month" -> monthly = unit / per;
                case "year" -> monthly = unit / 12.0 / per;
                default -> {
                    return null;
                }
            }
            total += monthly * quantity;
        }
        return Math.round(total);
    }

    private Mapped cardOnFile(JsonNode owner, JsonNode card, String eventId, long created, String what) throws InvalidEventException {
        String expiry = cardExpiry(card);
        if (expiry == null) return Mapped.skipped(what + " shows no card expiry (not a card)");
        // No payment happened: a zero payment that neither ends nor extends a failure streak carries the card.
        AccountEvent e = AccountEvent.of(EventType.PAYMENT, eventId, account(owner, what), created);
        e.paymentStatus = PaymentStatus.REFUNDED;
        e.amountMinor = 0;
        e.currency = NO_CURRENCY;
        e.invoiceId = "card:" + id(owner);
        e.cardExpiry = expiry;
        return Mapped.of(e);
    }

    private static String cardExpiry(JsonNode card) throws InvalidEventException {
        if (!card.isObject()) return null;
        Long month = whole(card, "exp_month");
        Long year = whole(card, "exp_year");
        if (month == null || year == null) return null;
        if (month < 1 || month > 12 || year < 2000 || year > 2099) {
            throw new InvalidEventException("card expiry " + month + "/" + year + " is not a month and a year");
        }
        return String.format(Locale.ROOT, "%d-%02d", year, month);
    }

    /** The account: the configured metadata key where set, else the Stripe customer; never invented. */
    private String account(JsonNode o, String what) throws InvalidEventException {
        if (accountMetadataKey != null) {
            for (String path : new String[] {"metadata", "subscription_details.metadata", "parent.subscription_details.metadata"}) {
                JsonNode m = at(o, path);
                if (m.isObject() && m.hasNonNull(accountMetadataKey)) {
                    String v = m.get(accountMetadataKey).asText();
                    if (!v.isBlank()) return v;
                }
            }
            throw new InvalidEventException("no account: " + what + " has no metadata." + accountMetadataKey);
        }
        String customer = idOrExpanded(o, "customer");
        if (customer == null) throw new InvalidEventException("no account: " + what + " has no customer");
        return customer;
    }

    private static String id(JsonNode o) throws InvalidEventException {
        return requiredText(o, "id");
    }

    private static long amount(JsonNode o, String field) throws InvalidEventException {
        Long v = whole(o, field);
        if (v == null) throw new InvalidEventException(field + " is missing");
        if (v < 0) throw new InvalidEventException(field + " must be >= 0, got " + v);
        return v;
    }

    private static String currency(JsonNode o) throws InvalidEventException {
        return requiredText(o, "currency").toUpperCase(Locale.ROOT);
    }

    private static String cancellationReason(JsonNode sub) throws InvalidEventException {
        return firstText(sub, "cancellation_details.feedback", "cancellation_details.reason");
    }

    private static String firstText(JsonNode n, String... paths) throws InvalidEventException {
        for (String p : paths) {
            JsonNode v = at(n, p);
            if (v.isTextual() && !v.asText().isBlank()) return v.asText();
        }
        return null;
    }

    private static String fieldNames(JsonNode n) {
        StringBuilder b = new StringBuilder();
        n.fieldNames().forEachRemaining(f -> b.append(b.length() == 0 ? "" : ", ").append(f));
        return b.length() == 0 ? "nothing" : b.toString();
    }
}
