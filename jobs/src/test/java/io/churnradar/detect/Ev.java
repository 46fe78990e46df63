package io.churnradar.detect;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Events with fresh ids; to send a duplicate, send the same event (or {@link #copy}) again. */
final class Ev {
    private static final AtomicLong SEQ = new AtomicLong();

    private Ev() {}

    private static String id(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet();
    }

    static AccountEvent usage(String account, long time, double quantity) {
        return AccountEvent.usage(id("u"), account, time, "reports", quantity);
    }

    static AccountEvent login(String account, long time) {
        return AccountEvent.login(id("l"), account, time);
    }

    static AccountEvent ticket(String account, long time) {
        return ticket(account, time, TicketStatus.OPENED);
    }

    static AccountEvent ticket(String account, long time, TicketStatus status) {
        String id = id("t");
        return AccountEvent.ticket(id, account, time, "T" + id, status);
    }

    static AccountEvent failed(String account, long time) {
        AccountEvent e = AccountEvent.payment(id("p"), account, time, PaymentStatus.FAILED);
        e.failureCode = "card_declined";
        return e;
    }

    static AccountEvent succeeded(String account, long time) {
        return AccountEvent.payment(id("p"), account, time, PaymentStatus.SUCCEEDED);
    }

    static AccountEvent refunded(String account, long time) {
        return AccountEvent.payment(id("p"), account, time, PaymentStatus.REFUNDED);
    }

    static AccountEvent usage(String account, long time, String feature, double quantity) {
        return AccountEvent.usage(id("u"), account, time, feature, quantity);
    }

    /** A change of a ticket with the given id, at the given priority. */
    static AccountEvent ticket(String account, long time, String ticketId, TicketStatus status, TicketPriority priority) {
        AccountEvent e = AccountEvent.ticket(id("t"), account, time, ticketId, status);
        e.priority = priority;
        return e;
    }

    static AccountEvent urgent(String account, long time, String ticketId, TicketStatus status) {
        return ticket(account, time, ticketId, status, TicketPriority.URGENT);
    }

    /** A ticket change that carries a CSAT rating. */
    static AccountEvent ticketCsat(String account, long time, int csat) {
        AccountEvent e = ticket(account, time, TicketStatus.CLOSED);
        e.csat = csat;
        return e;
    }

    static AccountEvent nps(String account, long time, int score) {
        return AccountEvent.feedback(id("f"), account, time, SurveyType.NPS, score);
    }

    static AccountEvent csat(String account, long time, int score) {
        return AccountEvent.feedback(id("f"), account, time, SurveyType.CSAT, score);
    }

    /** A successful payment showing the card on file, {@code YYYY-MM}. */
    static AccountEvent card(String account, long time, String cardExpiry) {
        AccountEvent e = succeeded(account, time);
        e.cardExpiry = cardExpiry;
        return e;
    }

    static AccountEvent subscription(String account, long time, SubscriptionAction action) {
        return AccountEvent.subscription(id("s"), account, time, action);
    }

    static AccountEvent subscription(String account, long time, SubscriptionAction action, long mrrMinor) {
        AccountEvent e = subscription(account, time, action);
        e.mrrMinor = mrrMinor;
        return e;
    }

    /** The event, changed by {@code change}: {@code with(Ev.nps(..), e -> e.comment = "slow")}. */
    static AccountEvent with(AccountEvent e, Consumer<AccountEvent> change) {
        change.accept(e);
        return e;
    }

    /** The same event id and account, re-sent with another time and quantity. */
    static AccountEvent copy(AccountEvent e, long time, double quantity) {
        AccountEvent c = AccountEvent.of(e.type, e.eventId, e.accountId, time);
        c.feature = e.feature;
        c.quantity = quantity;
        c.ticketId = e.ticketId;
        c.ticketStatus = e.ticketStatus;
        c.priority = e.priority;
        c.paymentStatus = e.paymentStatus;
        c.amountMinor = e.amountMinor;
        c.currency = e.currency;
        c.invoiceId = e.invoiceId;
        return c;
    }
}
