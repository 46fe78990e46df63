package io.churnradar.ingest;

/**
 * The fields of an {@link AccountEvent} as bits of a bitmap, and the bitmap of the fields an event has set. Both compact
 * forms of an event write this bitmap, then the fields that are set in bit order: the serializer between operators
 * ({@link AccountEventSerializer}) and the codec of the events an account holds for event-time order, which savepoints
 * keep. A bit is therefore part of stored state: a new field takes the next free bit, and no bit is ever renumbered.
 */
public final class EventFields {
    public static final int TYPE = 0, EVENT_ID = 1, ACCOUNT_ID = 2, USER_ID = 3, FEATURE = 4, QUANTITY = 5, TICKET_ID = 6,
            TICKET_STATUS = 7, PRIORITY = 8, CSAT = 9, PAYMENT_STATUS = 10, AMOUNT = 11, CURRENCY = 12, INVOICE_ID = 13,
            FAILURE_CODE = 14, CARD_EXPIRY = 15, SURVEY = 16, SCORE = 17, COMMENT = 18, ACTION = 19, PLAN = 20, MRR = 21,
            SEATS = 22, RENEWAL_DATE = 23, REASON = 24, DO_NOT_CONTACT = 25;

    private EventFields() {}

    /** The bitmap of the fields {@code e} has set: a reference not null, a number not zero. */
    public static int present(AccountEvent e) {
        int b = 0;
        if (e.type != null) b |= bit(TYPE);
        if (e.eventId != null) b |= bit(EVENT_ID);
        if (e.accountId != null) b |= bit(ACCOUNT_ID);
        if (e.userId != null) b |= bit(USER_ID);
        if (e.feature != null) b |= bit(FEATURE);
        if (Double.doubleToRawLongBits(e.quantity) != 0) b |= bit(QUANTITY);
        if (e.ticketId != null) b |= bit(TICKET_ID);
        if (e.ticketStatus != null) b |= bit(TICKET_STATUS);
        if (e.priority != null) b |= bit(PRIORITY);
        if (e.csat != null) b |= bit(CSAT);
        if (e.paymentStatus != null) b |= bit(PAYMENT_STATUS);
        if (e.amountMinor != 0) b |= bit(AMOUNT);
        if (e.currency != null) b |= bit(CURRENCY);
        if (e.invoiceId != null) b |= bit(INVOICE_ID);
        if (e.failureCode != null) b |= bit(FAILURE_CODE);
        if (e.cardExpiry != null) b |= bit(CARD_EXPIRY);
        if (e.survey != null) b |= bit(SURVEY);
        if (e.score != 0) b |= bit(SCORE);
        if (e.comment != null) b |= bit(COMMENT);
        if (e.action != null) b |= bit(ACTION);
        if (e.plan != null) b |= bit(PLAN);
        if (e.mrrMinor != null) b |= bit(MRR);
        if (e.seats != null) b |= bit(SEATS);
        if (e.renewalDate != null) b |= bit(RENEWAL_DATE);
        if (e.reason != null) b |= bit(REASON);
        if (e.doNotContact != null) b |= bit(DO_NOT_CONTACT);
        return b;
    }

    /** Whether {@code field}'s bit is set in {@code bits}. */
    public static boolean has(long bits, int field) {
        return (bits & (1L << field)) != 0;
    }

    private static int bit(int field) {
        return 1 << field;
    }
}
