package io.churnradar.detect.storage;

import static io.churnradar.detect.storage.Compact.readDouble;
import static io.churnradar.detect.storage.Compact.readLength;
import static io.churnradar.detect.storage.Compact.readSigned;
import static io.churnradar.detect.storage.Compact.readSignedInt;
import static io.churnradar.detect.storage.Compact.readString;
import static io.churnradar.detect.storage.Compact.readTime;
import static io.churnradar.detect.storage.Compact.readVarLong;
import static io.churnradar.detect.storage.Compact.writeDouble;
import static io.churnradar.detect.storage.Compact.writeLength;
import static io.churnradar.detect.storage.Compact.writeSigned;
import static io.churnradar.detect.storage.Compact.writeString;
import static io.churnradar.detect.storage.Compact.writeTime;
import static io.churnradar.detect.storage.Compact.writeVarLong;
import static io.churnradar.ingest.EventFields.ACCOUNT_ID;
import static io.churnradar.ingest.EventFields.ACTION;
import static io.churnradar.ingest.EventFields.AMOUNT;
import static io.churnradar.ingest.EventFields.CARD_EXPIRY;
import static io.churnradar.ingest.EventFields.COMMENT;
import static io.churnradar.ingest.EventFields.CSAT;
import static io.churnradar.ingest.EventFields.CURRENCY;
import static io.churnradar.ingest.EventFields.DO_NOT_CONTACT;
import static io.churnradar.ingest.EventFields.EVENT_ID;
import static io.churnradar.ingest.EventFields.FAILURE_CODE;
import static io.churnradar.ingest.EventFields.FEATURE;
import static io.churnradar.ingest.EventFields.INVOICE_ID;
import static io.churnradar.ingest.EventFields.MRR;
import static io.churnradar.ingest.EventFields.PAYMENT_STATUS;
import static io.churnradar.ingest.EventFields.PLAN;
import static io.churnradar.ingest.EventFields.PRIORITY;
import static io.churnradar.ingest.EventFields.QUANTITY;
import static io.churnradar.ingest.EventFields.REASON;
import static io.churnradar.ingest.EventFields.RENEWAL_DATE;
import static io.churnradar.ingest.EventFields.SCORE;
import static io.churnradar.ingest.EventFields.SEATS;
import static io.churnradar.ingest.EventFields.SURVEY;
import static io.churnradar.ingest.EventFields.TICKET_ID;
import static io.churnradar.ingest.EventFields.TICKET_STATUS;
import static io.churnradar.ingest.EventFields.TYPE;
import static io.churnradar.ingest.EventFields.USER_ID;
import static io.churnradar.ingest.EventFields.has;
import static io.churnradar.ingest.EventFields.present;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The events an account holds for event-time order ({@link io.churnradar.detect.EventBuffer}), in the
 * compact layout: a length, then each event as a varint bitmap of its fields that are set, then those
 * fields in bit order; its time as a delta from the event before (the first from the account's reference
 * time). Enums are written by constant name, not ordinal: the buffer is short-lived but crosses restores,
 * and names survive a reordering of the generated enums without a snapshot of their own. Every field
 * round-trips exactly, nulls included.
 */
public final class EventCodec {
    private EventCodec() {}

    /**
     * Orders two events that time and id cannot tell apart: two copies of one event that differ (a producer that
     * re-sent it changed, two source events mapped to one id). De-duplication counts the one applied first, so it must
     * not be the one that came first: the copy with more fields comes first (it tells more: a card's expiry that only
     * a charge carries, say), then the one whose encoding is smaller. Copies alike compare equal.
     */
    public static int compareCopies(AccountEvent a, AccountEvent b) {
        int c = Integer.compare(Integer.bitCount(present(b)), Integer.bitCount(present(a)));
        if (c != 0) return c;
        return java.util.Arrays.compareUnsigned(bytesOf(a), bytesOf(b));
    }

    private static byte[] bytesOf(AccountEvent e) {
        try {
            org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(64);
            writeEvents(out, new AccountEvent[] {e}, 0);
            return out.getCopyOfBuffer();
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    static void writeEvents(DataOutputView out, AccountEvent[] events, long ref) throws IOException {
        writeLength(out, events == null ? -1 : events.length);
        if (events == null) return;
        long prev = ref;
        for (AccountEvent e : events) {
            if (e == null) {
                writeVarLong(out, 0);
                continue;
            }
            int present = present(e);
            writeVarLong(out, present + 1L);
            writeTime(out, e.eventTime, prev);
            prev = e.eventTime;
            writeFields(out, e, present);
        }
    }

    static AccountEvent[] readEvents(DataInputView in, long ref) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        AccountEvent[] events = new AccountEvent[n];
        long prev = ref;
        for (int i = 0; i < n; i++) {
            long code = readVarLong(in);
            if (code == 0) continue;
            AccountEvent e = new AccountEvent();
            e.eventTime = prev = readTime(in, prev);
            readFields(in, e, code - 1);
            events[i] = e;
        }
        return events;
    }

    private static void writeFields(DataOutputView out, AccountEvent e, long b) throws IOException {
        if (has(b, TYPE)) writeString(out, e.type.name());
        if (has(b, EVENT_ID)) writeString(out, e.eventId);
        if (has(b, ACCOUNT_ID)) writeString(out, e.accountId);
        if (has(b, USER_ID)) writeString(out, e.userId);
        if (has(b, FEATURE)) writeString(out, e.feature);
        if (has(b, QUANTITY)) writeDouble(out, e.quantity);
        if (has(b, TICKET_ID)) writeString(out, e.ticketId);
        if (has(b, TICKET_STATUS)) writeString(out, e.ticketStatus.name());
        if (has(b, PRIORITY)) writeString(out, e.priority.name());
        if (has(b, CSAT)) writeSigned(out, e.csat);
        if (has(b, PAYMENT_STATUS)) writeString(out, e.paymentStatus.name());
        if (has(b, AMOUNT)) writeSigned(out, e.amountMinor);
        if (has(b, CURRENCY)) writeString(out, e.currency);
        if (has(b, INVOICE_ID)) writeString(out, e.invoiceId);
        if (has(b, FAILURE_CODE)) writeString(out, e.failureCode);
        if (has(b, CARD_EXPIRY)) writeString(out, e.cardExpiry);
        if (has(b, SURVEY)) writeString(out, e.survey.name());
        if (has(b, SCORE)) writeSigned(out, e.score);
        if (has(b, COMMENT)) writeString(out, e.comment);
        if (has(b, ACTION)) writeString(out, e.action.name());
        if (has(b, PLAN)) writeString(out, e.plan);
        if (has(b, MRR)) writeSigned(out, e.mrrMinor);
        if (has(b, SEATS)) writeSigned(out, e.seats);
        if (has(b, RENEWAL_DATE)) writeString(out, e.renewalDate);
        if (has(b, REASON)) writeString(out, e.reason);
        if (has(b, DO_NOT_CONTACT)) out.writeBoolean(e.doNotContact);
    }

    private static void readFields(DataInputView in, AccountEvent e, long b) throws IOException {
        if (has(b, TYPE)) e.type = named(EventType.class, readString(in));
        if (has(b, EVENT_ID)) e.eventId = readString(in);
        if (has(b, ACCOUNT_ID)) e.accountId = readString(in);
        if (has(b, USER_ID)) e.userId = readString(in);
        if (has(b, FEATURE)) e.feature = readString(in);
        if (has(b, QUANTITY)) e.quantity = readDouble(in);
        if (has(b, TICKET_ID)) e.ticketId = readString(in);
        if (has(b, TICKET_STATUS)) e.ticketStatus = named(TicketStatus.class, readString(in));
        if (has(b, PRIORITY)) e.priority = named(TicketPriority.class, readString(in));
        if (has(b, CSAT)) e.csat = readSignedInt(in);
        if (has(b, PAYMENT_STATUS)) e.paymentStatus = named(PaymentStatus.class, readString(in));
        if (has(b, AMOUNT)) e.amountMinor = readSigned(in);
        if (has(b, CURRENCY)) e.currency = readString(in);
        if (has(b, INVOICE_ID)) e.invoiceId = readString(in);
        if (has(b, FAILURE_CODE)) e.failureCode = readString(in);
        if (has(b, CARD_EXPIRY)) e.cardExpiry = readString(in);
        if (has(b, SURVEY)) e.survey = named(SurveyType.class, readString(in));
        if (has(b, SCORE)) e.score = readSignedInt(in);
        if (has(b, COMMENT)) e.comment = readString(in);
        if (has(b, ACTION)) e.action = named(SubscriptionAction.class, readString(in));
        if (has(b, PLAN)) e.plan = readString(in);
        if (has(b, MRR)) e.mrrMinor = readSigned(in);
        if (has(b, SEATS)) e.seats = readSignedInt(in);
        if (has(b, RENEWAL_DATE)) e.renewalDate = readString(in);
        if (has(b, REASON)) e.reason = readString(in);
        if (has(b, DO_NOT_CONTACT)) e.doNotContact = in.readBoolean();
    }

    /** A constant by name; null when a later release removed it (the event then applies as one without that field). */
    private static <E extends Enum<E>> E named(Class<E> type, String name) {
        try {
            return name == null ? null : Enum.valueOf(type, name);
        } catch (IllegalArgumentException gone) {
            return null;
        }
    }
}
