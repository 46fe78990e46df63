package io.churnradar.detect;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import java.util.concurrent.atomic.AtomicLong;

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
