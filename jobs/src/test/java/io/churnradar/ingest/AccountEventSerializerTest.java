package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SurveyType;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The events' own serializer: every field round-trips, nulls and odd strings included, and enums are read by name. */
class AccountEventSerializerTest {
    private static final AccountEventSerializer SERIALIZER = new AccountEventSerializer();
    /** Doubles compared bit for bit: NaN and -0.0 must survive too. */
    private static final java.util.Comparator<Double> EXACT = java.util.Comparator.comparingLong(Double::doubleToRawLongBits);

    @Test
    void flinkDerivesItForEventsAndForTheWrapperOfTheReading() {
        TypeSerializer<AccountEvent> derived = TypeInformation.of(AccountEvent.class).createSerializer(new SerializerConfigImpl());
        assertThat(derived).isInstanceOf(AccountEventSerializer.class);
        Ingested in = Ingested.event(random(new Random(1)));
        TypeSerializer<Ingested> wrapper = TypeInformation.of(Ingested.class).createSerializer(new SerializerConfigImpl());
        assertThat(roundTrip(wrapper, in).event).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(in.event);
    }

    @Test
    void everyFieldRoundTripsWhetherSetOrNot() {
        Random r = new Random(42);
        AccountEvent reused = random(r); // a reused event keeps nothing of the one before
        for (int i = 0; i < 2000; i++) {
            AccountEvent e = random(r);
            assertThat(roundTrip(SERIALIZER, e)).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(e);
            byte[] b = bytes(SERIALIZER, e);
            try {
                assertThat(SERIALIZER.deserialize(reused, new DataInputDeserializer(b))).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(e);
            } catch (java.io.IOException x) {
                throw new AssertionError(x);
            }
            assertThat(SERIALIZER.copy(e)).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(e);
        }
        AccountEvent empty = new AccountEvent();
        assertThat(roundTrip(SERIALIZER, empty)).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(empty);
    }

    @Test
    void aSnapshotReadsTheOrdinalsItWroteByName() throws Exception {
        TypeSerializerSnapshot<AccountEvent> now = SERIALIZER.snapshotConfiguration();
        assertThat(now.resolveSchemaCompatibility(roundTripSnapshot(now)).isCompatibleAsIs()).isTrue();

        // A release whose TicketStatus constants came in the reverse order, one of them since removed.
        String[][] names = AccountEventSerializer.names(AccountEventSerializer.current());
        String[] statuses = names[1];
        String[] reversed = new String[statuses.length];
        for (int i = 0; i < statuses.length; i++) reversed[i] = statuses[statuses.length - 1 - i];
        reversed[0] = "GONE";
        names[1] = reversed;
        AccountEventSerializer.Snapshot old = new AccountEventSerializer.Snapshot(names);
        assertThat(now.resolveSchemaCompatibility(roundTripSnapshot(old)).isCompatibleAfterMigration()).isTrue();

        TypeSerializer<AccountEvent> oldWriter = old.restoreSerializer();
        for (int code = 0; code < reversed.length; code++) {
            AccountEvent e = new AccountEvent();
            e.type = EventType.SUPPORT_TICKET;
            // What the old release wrote for its constant at this ordinal:
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeInt((1 << 0) | (1 << 7));
            out.writeLong(0);
            out.writeByte(EventType.SUPPORT_TICKET.ordinal());
            out.writeByte(code);
            AccountEvent read = oldWriter.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(read.ticketStatus == null ? "GONE" : read.ticketStatus.name()).isEqualTo(reversed[code]);
        }
    }

    private static TypeSerializerSnapshot<AccountEvent> roundTripSnapshot(TypeSerializerSnapshot<AccountEvent> s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.writeSnapshot(out);
        AccountEventSerializer.Snapshot back = new AccountEventSerializer.Snapshot();
        back.readSnapshot(s.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()), AccountEventSerializerTest.class.getClassLoader());
        return back;
    }

    private static <T> byte[] bytes(TypeSerializer<T> s, T value) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(128);
            s.serialize(value, out);
            return out.getCopyOfBuffer();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> T roundTrip(TypeSerializer<T> s, T value) {
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes(s, value));
            T back = s.deserialize(in);
            assertThat(in.available()).as("every byte read").isZero();
            return back;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String text(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "é\uD83D\uDE80 日本 \u0000";
            case 3 -> "\uD800 unpaired";
            default -> "id-" + r.nextLong();
        };
    }

    private static <E extends Enum<E>> E pick(Random r, E[] values) {
        return r.nextInt(4) == 0 ? null : values[r.nextInt(values.length)];
    }

    static AccountEvent random(Random r) {
        AccountEvent e = new AccountEvent();
        e.type = pick(r, EventType.values());
        e.eventId = text(r);
        e.accountId = text(r);
        e.eventTime = r.nextBoolean() ? r.nextLong() : 0;
        e.userId = text(r);
        e.feature = text(r);
        e.quantity = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -0.0;
            case 2 -> Double.NaN;
            default -> r.nextDouble() * 1000;
        };
        e.ticketId = text(r);
        e.ticketStatus = pick(r, TicketStatus.values());
        e.priority = pick(r, TicketPriority.values());
        e.csat = r.nextBoolean() ? null : r.nextInt();
        e.paymentStatus = pick(r, PaymentStatus.values());
        e.amountMinor = r.nextBoolean() ? 0 : r.nextLong();
        e.currency = text(r);
        e.invoiceId = text(r);
        e.failureCode = text(r);
        e.cardExpiry = text(r);
        e.survey = pick(r, SurveyType.values());
        e.score = r.nextBoolean() ? 0 : r.nextInt();
        e.comment = text(r);
        e.action = pick(r, SubscriptionAction.values());
        e.plan = text(r);
        e.mrrMinor = r.nextBoolean() ? null : r.nextLong();
        e.seats = r.nextBoolean() ? null : r.nextInt();
        e.renewalDate = text(r);
        e.reason = text(r);
        e.doNotContact = r.nextInt(3) == 0 ? null : r.nextBoolean();
        return e;
    }
}
