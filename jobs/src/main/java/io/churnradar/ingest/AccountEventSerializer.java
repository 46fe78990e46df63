package io.churnradar.ingest;

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
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How an {@link AccountEvent} crosses from the reading to the detector: a bitmap of the fields that are set,
 * then those fields in bit order. Flink's POJO serializer wrote a null flag for each of the 26 fields and set
 * each one by reflection, after filling a new event with a default instance of every field; on the backtest's
 * detection thread that was 5% of the time (JFR, docs/benchmarks.md), and as much again where the events are
 * read. Strings are written by Flink's {@link StringValue}, as its string serializer writes them; enums by
 * ordinal, with their constant names in the snapshot so that a reordering is read by name.
 */
public final class AccountEventSerializer extends TypeSerializer<AccountEvent> {
    private static final long serialVersionUID = 1L;

    /** The enums written by ordinal, in this order in {@link #constants} and in the snapshot. */
    static final Class<?>[] ENUMS = {
        EventType.class, TicketStatus.class, TicketPriority.class, PaymentStatus.class, SurveyType.class, SubscriptionAction.class
    };

    /** The constants of each of {@link #ENUMS} by the ordinals written: the current ones, or a snapshot's (null where gone). */
    private final Enum<?>[][] constants;

    public AccountEventSerializer() {
        this(current());
    }

    AccountEventSerializer(Enum<?>[][] constants) {
        this.constants = constants;
    }

    static Enum<?>[][] current() {
        Enum<?>[][] c = new Enum<?>[ENUMS.length][];
        for (int i = 0; i < ENUMS.length; i++) c[i] = (Enum<?>[]) ENUMS[i].getEnumConstants();
        return c;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<AccountEvent> duplicate() {
        return this; // stateless
    }

    @Override
    public AccountEvent createInstance() {
        return new AccountEvent();
    }

    @Override
    public AccountEvent copy(AccountEvent from) {
        AccountEvent e = new AccountEvent();
        copyFields(from, e);
        return e;
    }

    @Override
    public AccountEvent copy(AccountEvent from, AccountEvent reuse) {
        copyFields(from, reuse);
        return reuse;
    }

    private static void copyFields(AccountEvent f, AccountEvent e) {
        e.type = f.type;
        e.eventId = f.eventId;
        e.accountId = f.accountId;
        e.eventTime = f.eventTime;
        e.userId = f.userId;
        e.feature = f.feature;
        e.quantity = f.quantity;
        e.ticketId = f.ticketId;
        e.ticketStatus = f.ticketStatus;
        e.priority = f.priority;
        e.csat = f.csat;
        e.paymentStatus = f.paymentStatus;
        e.amountMinor = f.amountMinor;
        e.currency = f.currency;
        e.invoiceId = f.invoiceId;
        e.failureCode = f.failureCode;
        e.cardExpiry = f.cardExpiry;
        e.survey = f.survey;
        e.score = f.score;
        e.comment = f.comment;
        e.action = f.action;
        e.plan = f.plan;
        e.mrrMinor = f.mrrMinor;
        e.seats = f.seats;
        e.renewalDate = f.renewalDate;
        e.reason = f.reason;
        e.doNotContact = f.doNotContact;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(AccountEvent e, DataOutputView out) throws IOException {
        int b = present(e);
        out.writeInt(b);
        out.writeLong(e.eventTime);
        if (has(b, TYPE)) out.writeByte(e.type.ordinal());
        if (has(b, EVENT_ID)) StringValue.writeString(e.eventId, out);
        if (has(b, ACCOUNT_ID)) StringValue.writeString(e.accountId, out);
        if (has(b, USER_ID)) StringValue.writeString(e.userId, out);
        if (has(b, FEATURE)) StringValue.writeString(e.feature, out);
        if (has(b, QUANTITY)) out.writeDouble(e.quantity);
        if (has(b, TICKET_ID)) StringValue.writeString(e.ticketId, out);
        if (has(b, TICKET_STATUS)) out.writeByte(e.ticketStatus.ordinal());
        if (has(b, PRIORITY)) out.writeByte(e.priority.ordinal());
        if (has(b, CSAT)) out.writeInt(e.csat);
        if (has(b, PAYMENT_STATUS)) out.writeByte(e.paymentStatus.ordinal());
        if (has(b, AMOUNT)) out.writeLong(e.amountMinor);
        if (has(b, CURRENCY)) StringValue.writeString(e.currency, out);
        if (has(b, INVOICE_ID)) StringValue.writeString(e.invoiceId, out);
        if (has(b, FAILURE_CODE)) StringValue.writeString(e.failureCode, out);
        if (has(b, CARD_EXPIRY)) StringValue.writeString(e.cardExpiry, out);
        if (has(b, SURVEY)) out.writeByte(e.survey.ordinal());
        if (has(b, SCORE)) out.writeInt(e.score);
        if (has(b, COMMENT)) StringValue.writeString(e.comment, out);
        if (has(b, ACTION)) out.writeByte(e.action.ordinal());
        if (has(b, PLAN)) StringValue.writeString(e.plan, out);
        if (has(b, MRR)) out.writeLong(e.mrrMinor);
        if (has(b, SEATS)) out.writeInt(e.seats);
        if (has(b, RENEWAL_DATE)) StringValue.writeString(e.renewalDate, out);
        if (has(b, REASON)) StringValue.writeString(e.reason, out);
        if (has(b, DO_NOT_CONTACT)) out.writeBoolean(e.doNotContact);
    }

    @Override
    public AccountEvent deserialize(DataInputView in) throws IOException {
        return deserialize(new AccountEvent(), in);
    }

    /** Every field is set, the absent ones to their defaults: a reused event keeps nothing of the one before. */
    @Override
    public AccountEvent deserialize(AccountEvent e, DataInputView in) throws IOException {
        int b = in.readInt();
        e.eventTime = in.readLong();
        e.type = has(b, TYPE) ? (EventType) constant(0, in) : null;
        e.eventId = has(b, EVENT_ID) ? StringValue.readString(in) : null;
        e.accountId = has(b, ACCOUNT_ID) ? StringValue.readString(in) : null;
        e.userId = has(b, USER_ID) ? StringValue.readString(in) : null;
        e.feature = has(b, FEATURE) ? StringValue.readString(in) : null;
        e.quantity = has(b, QUANTITY) ? in.readDouble() : 0;
        e.ticketId = has(b, TICKET_ID) ? StringValue.readString(in) : null;
        e.ticketStatus = has(b, TICKET_STATUS) ? (TicketStatus) constant(1, in) : null;
        e.priority = has(b, PRIORITY) ? (TicketPriority) constant(2, in) : null;
        e.csat = has(b, CSAT) ? in.readInt() : null;
        e.paymentStatus = has(b, PAYMENT_STATUS) ? (PaymentStatus) constant(3, in) : null;
        e.amountMinor = has(b, AMOUNT) ? in.readLong() : 0;
        e.currency = has(b, CURRENCY) ? StringValue.readString(in) : null;
        e.invoiceId = has(b, INVOICE_ID) ? StringValue.readString(in) : null;
        e.failureCode = has(b, FAILURE_CODE) ? StringValue.readString(in) : null;
        e.cardExpiry = has(b, CARD_EXPIRY) ? StringValue.readString(in) : null;
        e.survey = has(b, SURVEY) ? (SurveyType) constant(4, in) : null;
        e.score = has(b, SCORE) ? in.readInt() : 0;
        e.comment = has(b, COMMENT) ? StringValue.readString(in) : null;
        e.action = has(b, ACTION) ? (SubscriptionAction) constant(5, in) : null;
        e.plan = has(b, PLAN) ? StringValue.readString(in) : null;
        e.mrrMinor = has(b, MRR) ? in.readLong() : null;
        e.seats = has(b, SEATS) ? in.readInt() : null;
        e.renewalDate = has(b, RENEWAL_DATE) ? StringValue.readString(in) : null;
        e.reason = has(b, REASON) ? StringValue.readString(in) : null;
        e.doNotContact = has(b, DO_NOT_CONTACT) ? in.readBoolean() : null;
        return e;
    }

    /** A constant by the ordinal written; null when a later release removed it (the event then lacks that field). */
    private Enum<?> constant(int kind, DataInputView in) throws IOException {
        int code = in.readUnsignedByte();
        Enum<?>[] c = constants[kind];
        return code < c.length ? c[code] : null;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target); // rare (spilling), and exact by the round trip
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountEventSerializer other && Arrays.deepEquals(constants, other.constants);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(constants);
    }

    @Override
    public TypeSerializerSnapshot<AccountEvent> snapshotConfiguration() {
        return new Snapshot(names(constants));
    }

    static String[][] names(Enum<?>[][] constants) {
        String[][] names = new String[constants.length][];
        for (int i = 0; i < constants.length; i++) {
            names[i] = Arrays.stream(constants[i]).map(c -> c == null ? "" : c.name()).toArray(String[]::new);
        }
        return names;
    }

    /**
     * The constant names of the enums, per enum in {@link #ENUMS}' order: a serializer restored from it reads the
     * ordinals it wrote by name. Compatible as is when the names are today's, after migration otherwise.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<AccountEvent> {
        private static final int VERSION = 1;
        private String[][] names;

        /** For Flink, which reads the snapshot into it. */
        public Snapshot() {}

        Snapshot(String[][] names) {
            this.names = names;
        }

        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(names.length);
            for (String[] kind : names) {
                out.writeInt(kind.length);
                for (String n : kind) out.writeUTF(n);
            }
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
            if (readVersion != VERSION) throw new IOException("unknown snapshot version " + readVersion + " of the event serializer");
            names = new String[in.readInt()][];
            for (int k = 0; k < names.length; k++) {
                names[k] = new String[in.readInt()];
                for (int i = 0; i < names[k].length; i++) names[k][i] = in.readUTF();
            }
        }

        @Override
        public TypeSerializer<AccountEvent> restoreSerializer() {
            Enum<?>[][] c = new Enum<?>[ENUMS.length][];
            for (int k = 0; k < ENUMS.length; k++) {
                String[] kind = k < names.length ? names[k] : new String[0];
                c[k] = new Enum<?>[kind.length];
                for (int i = 0; i < kind.length; i++) c[k][i] = byName(ENUMS[k], kind[i]);
            }
            return new AccountEventSerializer(c);
        }

        private static Enum<?> byName(Class<?> type, String name) {
            for (Object c : type.getEnumConstants()) if (((Enum<?>) c).name().equals(name)) return (Enum<?>) c;
            return null;
        }

        @Override
        public TypeSerializerSchemaCompatibility<AccountEvent> resolveSchemaCompatibility(TypeSerializerSnapshot<AccountEvent> old) {
            if (!(old instanceof Snapshot prior)) return TypeSerializerSchemaCompatibility.incompatible();
            return Arrays.deepEquals(prior.names, names(current()))
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
