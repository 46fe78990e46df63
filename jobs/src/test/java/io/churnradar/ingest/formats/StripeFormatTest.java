package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stripe webhook events (the API reference's example objects in their event envelopes), field by field. */
class StripeFormatTest {
    private static final PayloadMapper STRIPE = InputFormat.STRIPE.mapper(null, FormatOptions.defaults());

    private static AccountEvent one(String fixture) throws InvalidEventException {
        return one(STRIPE, Payloads.bytes("stripe", fixture));
    }

    private static AccountEvent one(PayloadMapper m, byte[] payload) throws InvalidEventException {
        List<AccountEvent> events = Payloads.events(m, payload, UserLinks.NONE);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static long at(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void aPaidInvoiceIsASucceededPaymentOfTheCustomer() throws Exception {
        AccountEvent e = one("invoice.paid.json");
        assertThat(e.type).isEqualTo(EventType.PAYMENT);
        assertThat(e.eventId).isEqualTo("stripe:invoice:in_1MtHbELkdIwHu7ixl4OzzPMv:paid");
        assertThat(e.accountId).isEqualTo("cus_NeZwdNtLEOXuvB");
        assertThat(e.eventTime).isEqualTo(at("2026-03-02T10:15:00Z")); // status_transitions.paid_at
        assertThat(e.paymentStatus).isEqualTo(PaymentStatus.SUCCEEDED);
        assertThat(e.amountMinor).isEqualTo(4900);
        assertThat(e.currency).isEqualTo("EUR");
        assertThat(e.invoiceId).isEqualTo("in_1MtHbELkdIwHu7ixl4OzzPMv");
        assertThat(e.failureCode).isNull();
    }

    @Test
    void thePaymentAnnouncedByTwoOrThreeEventsHasOneIdAndOneTime() throws Exception {
        AccountEvent paid = one("invoice.paid.json");
        AccountEvent succeeded = one("invoice.payment_succeeded.json");
        List<AccountEvent> charged = Payloads.events(STRIPE, Payloads.bytes("stripe", "charge.succeeded.json"), UserLinks.NONE);
        assertThat(charged).hasSize(2);
        AccountEvent charge = charged.get(0);
        assertThat(succeeded.eventId).isEqualTo(paid.eventId).isEqualTo(charge.eventId);
        assertThat(succeeded.eventTime).isEqualTo(paid.eventTime);
        assertThat(succeeded.accountId).isEqualTo(paid.accountId).isEqualTo(charge.accountId);
        assertThat(charge.cardExpiry).isEqualTo("2026-04");
        // Whichever of the three is counted, the card the charge shows is seen: a card-on-file event of its own.
        AccountEvent card = charged.get(1);
        assertThat(card.eventId).startsWith("stripe:charge:").endsWith(":card");
        assertThat(card.paymentStatus).isEqualTo(PaymentStatus.REFUNDED);
        assertThat(card.amountMinor).isZero();
        assertThat(card.cardExpiry).isEqualTo("2026-04");
        assertThat(card.accountId).isEqualTo(charge.accountId);
    }

    @Test
    void aFailedInvoiceIsOneFailurePerCollectionAttempt() throws Exception {
        AccountEvent failed = one("invoice.payment_failed.json");
        assertThat(failed.eventId).isEqualTo("stripe:invoice:in_1MtHbELkdIwHu7ixl4OzzPMv:failed:2");
        assertThat(failed.paymentStatus).isEqualTo(PaymentStatus.FAILED);
        assertThat(failed.amountMinor).isEqualTo(4900); // amount_due
        assertThat(failed.eventTime).isEqualTo(at("2026-03-03T10:15:00Z"));
        AccountEvent action = one("invoice.payment_action_required.json");
        assertThat(action.eventId).isEqualTo(failed.eventId);
        assertThat(action.failureCode).isEqualTo("authentication_required");
    }

    @Test
    void aChargeWithoutInvoiceCountsOnItsOwnWithItsDeclineCodeAndCard() throws Exception {
        AccountEvent e = one("charge.failed.json");
        assertThat(e.eventId).isEqualTo("stripe:charge:ch_3MmlLrLkdIwHu7ix0snN0B15:failed");
        assertThat(e.paymentStatus).isEqualTo(PaymentStatus.FAILED);
        assertThat(e.amountMinor).isEqualTo(1099);
        assertThat(e.currency).isEqualTo("USD");
        assertThat(e.invoiceId).isEqualTo("ch_3MmlLrLkdIwHu7ix0snN0B15");
        assertThat(e.failureCode).isEqualTo("card_declined");
        assertThat(e.cardExpiry).isEqualTo("2026-03");
    }

    @Test
    void aFailedChargeOfAnInvoiceIsLeftToTheInvoiceEvent() throws Exception {
        String json = Payloads.text("stripe", "charge.failed.json").replace("\"invoice\": null", "\"invoice\": \"in_1\"");
        assertThat(STRIPE.map(Payloads.utf8(json)).skipped).contains("counted from invoice.payment_failed");
    }

    @Test
    void aRefundIsRefundedWithTheRefundedAmount() throws Exception {
        AccountEvent e = one("charge.refunded.json");
        assertThat(e.paymentStatus).isEqualTo(PaymentStatus.REFUNDED);
        assertThat(e.amountMinor).isEqualTo(500);
        assertThat(e.eventId).isEqualTo("stripe:charge:ch_3MmlLrLkdIwHu7ix0snN0B15:refunded:500");
    }

    @Test
    void aNewSubscriptionStartsWithPlanSeatsMonthlyRevenueAndRenewal() throws Exception {
        AccountEvent e = one("customer.subscription.created.json");
        assertThat(e.type).isEqualTo(EventType.SUBSCRIPTION);
        assertThat(e.action).isEqualTo(SubscriptionAction.STARTED);
        assertThat(e.eventId).isEqualTo("stripe:subscription:sub_1MowQVLkdIwHu7ixeRlqHVzs:created");
        assertThat(e.accountId).isEqualTo("cus_NeZwdNtLEOXuvB");
        assertThat(e.plan).isEqualTo("Team");
        assertThat(e.seats).isEqualTo(5);
        assertThat(e.mrrMinor).isEqualTo(5000); // 1000 x 5, monthly
        assertThat(e.renewalDate).isEqualTo("2026-03-31");
        assertThat(e.eventTime).isEqualTo(at("2026-03-01T10:00:00Z"));
    }

    @Test
    void aCheaperPlanIsAPlanChangeWithTheYearlyPriceNormalisedToAMonth() throws Exception {
        AccountEvent e = one("customer.subscription.updated.downgrade.json");
        assertThat(e.action).isEqualTo(SubscriptionAction.PLAN_CHANGED);
        assertThat(e.plan).isEqualTo("Starter");
        assertThat(e.seats).isEqualTo(2);
        assertThat(e.mrrMinor).isEqualTo(1600); // 9600 a year / 12 x 2
        assertThat(e.eventId).isEqualTo("stripe:evt_1MowQVLkdIwHu7ixdowngr");
    }

    /** An interval Stripe does not have, or a count below 1: no MRR (null), not a guess that it is monthly. */
    @Test
    void anUnknownIntervalOrCountGivesNoMrr() throws Exception {
        String json = Payloads.text("stripe", "customer.subscription.updated.downgrade.json");
        assertThat(json).contains("\"interval\": \"year\"");
        assertThat(one(STRIPE, Payloads.utf8(json.replace("\"interval\": \"year\"", "\"interval\": \"fortnight\""))).mrrMinor).isNull();
        // The first interval_count is the current item's (the year).
        assertThat(one(STRIPE, Payloads.utf8(json.replaceFirst("\"interval_count\": 1", "\"interval_count\": 0"))).mrrMinor).isNull();
    }

    /** A subscription.updated of API version 2025-03-31 or later: the billing period on the item; {@code previous} its old item. */
    private static byte[] basilUpdate(String previousItem, String price) {
        return Payloads.utf8("""
                {"id": "evt_R1", "object": "event", "api_version": "2025-03-31.basil", "created": 1795000000,
                 "type": "customer.subscription.updated",
                 "data": {"object": {"id": "sub_R", "object": "subscription", "customer": "cus_R", "status": "active",
                   "cancel_at_period_end": false, "cancel_at": null,
                   "items": {"object": "list", "data": [{"id": "si_R", "quantity": 3, "current_period_start": 1795000000,
                     "current_period_end": 1797592000, "price": {"id": "%s", "nickname": "Pro", "unit_amount": 5000,
                     "recurring": {"interval": "month", "interval_count": 1}}}]}},
                  "previous_attributes": {"items": {"object": "list", "data": [%s]}, "latest_invoice": "in_R1"}}}
                """.formatted(price, previousItem));
    }

    @Test
    void sinceApiVersion2025ARenewalMovesTheItemsPeriodAndIsARenewalNotAPlanChange() throws Exception {
        // The period moved on, the price did not: a renewal, as an older version's top-level period change is.
        AccountEvent renewal = one(STRIPE, basilUpdate(
                "{\"id\": \"si_R\", \"current_period_start\": 1792408000, \"current_period_end\": 1795000000}", "price_pro"));
        assertThat(renewal.action).isEqualTo(SubscriptionAction.RENEWED);
        assertThat(renewal.renewalDate).isEqualTo("2026-12-18");
        // The whole old item, another price and the old period: a plan change (the period moved with it).
        AccountEvent change = one(STRIPE, basilUpdate("{\"id\": \"si_R\", \"quantity\": 3, \"current_period_end\": 1795000000,"
                + " \"price\": {\"id\": \"price_basic\", \"unit_amount\": 2000}}", "price_pro"));
        assertThat(change.action).isEqualTo(SubscriptionAction.PLAN_CHANGED);
        // The whole old item with the same price and another quantity: seats.
        AccountEvent seats = one(STRIPE, basilUpdate("{\"id\": \"si_R\", \"quantity\": 2, \"price\": {\"id\": \"price_pro\"}}",
                "price_pro"));
        assertThat(seats.action).isEqualTo(SubscriptionAction.SEATS_CHANGED);
        // An item replaced by another: a plan change.
        AccountEvent replaced = one(STRIPE, basilUpdate("{\"id\": \"si_OLD\", \"price\": {\"id\": \"price_pro\"}}", "price_pro"));
        assertThat(replaced.action).isEqualTo(SubscriptionAction.PLAN_CHANGED);
    }

    @Test
    void cancelAtPeriodEndIsACancellationRequestWithTheCustomersFeedback() throws Exception {
        AccountEvent e = one("customer.subscription.updated.cancel.json");
        assertThat(e.action).isEqualTo(SubscriptionAction.CANCEL_REQUESTED);
        assertThat(e.reason).isEqualTo("switched_service");
        AccountEvent deleted = one("customer.subscription.deleted.json");
        assertThat(deleted.action).isEqualTo(SubscriptionAction.CANCELED);
        assertThat(deleted.reason).isEqualTo("switched_service");
        assertThat(deleted.mrrMinor).isZero();
        assertThat(deleted.renewalDate).isNull();
    }

    @Test
    void takingBackACancellationReactivates() throws Exception {
        String json = Payloads.text("stripe", "customer.subscription.created.json")
                .replace("\"type\": \"customer.subscription.created\"", "\"type\": \"customer.subscription.updated\"")
                .replace("\"livemode\": false,\n  \"pending", "\"livemode\": false,\n  \"pending")
                .replace("\"data\": {\n    \"object\": {", "\"data\": {\"previous_attributes\": {\"cancel_at_period_end\": true},\n    \"object\": {");
        assertThat(one(STRIPE, Payloads.utf8(json)).action).isEqualTo(SubscriptionAction.REACTIVATED);
    }

    @Test
    void cardUpdatesMoveOnlyTheCardOnFile() throws Exception {
        AccountEvent updated = one("payment_method.automatically_updated.json");
        assertThat(updated.cardExpiry).isEqualTo("2029-08");
        assertThat(updated.paymentStatus).isEqualTo(PaymentStatus.REFUNDED);
        assertThat(updated.amountMinor).isZero();
        assertThat(updated.currency).isEqualTo("XXX");
        AccountEvent expiring = one("customer.source.expiring.json");
        assertThat(expiring.cardExpiry).isEqualTo("2026-04");
        assertThat(expiring.accountId).isEqualTo("cus_NeZwdNtLEOXuvB");
    }

    @Test
    void aConfiguredMetadataKeyNamesTheAccountAndIsNeverReplacedByTheCustomer() throws Exception {
        FormatOptions o = FormatOptions.defaults();
        o.stripeAccountMetadataKey = "account_id";
        PayloadMapper m = InputFormat.STRIPE.mapper(null, o);
        assertThat(one(m, Payloads.bytes("stripe", "invoice.paid.json")).accountId).isEqualTo("acme"); // subscription_details
        assertThat(one(m, Payloads.bytes("stripe", "customer.subscription.created.json")).accountId).isEqualTo("acme");
        assertThatThrownBy(() -> m.map(Payloads.bytes("stripe", "charge.failed.json")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("no account: charge ch_3MmlLrLkdIwHu7ix0snN0B15 has no metadata.account_id");
    }

    @Test
    void hostileEventsAreRejectedWithReasons() {
        String paid = Payloads.text("stripe", "invoice.paid.json");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8(paid.replace("\"customer\": \"cus_NeZwdNtLEOXuvB\"", "\"customer\": null"))))
                .hasMessage("no account: invoice in_1MtHbELkdIwHu7ixl4OzzPMv has no customer");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8(paid.replace("\"amount_paid\": 4900", "\"amount_paid\": \"4900\""))))
                .hasMessage("amount_paid must be a whole number, got \"4900\"");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1772446500}")))
                .hasMessage("data.object is missing or not an object");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8(paid.replace("\"type\": \"invoice.paid\"", "\"type\": \"product.created\""))))
                .hasMessageStartingWith("Stripe event type 'product.created' carries no churn signal we read");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8("{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":\"yesterday\",\"data\":{}}")))
                .hasMessage("created must be a whole number, got \"yesterday\"");
        assertThatThrownBy(() -> STRIPE.map(Payloads.utf8("{\"object\":\"invoice\",\"id\":\"in_1\"}")))
                .hasMessage("not a Stripe event: object is 'invoice'");
    }
}
