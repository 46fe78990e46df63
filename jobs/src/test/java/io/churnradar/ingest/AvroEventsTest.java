package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.events.UsageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Avro single-object encoding of the four event types, and the records that must be dead-lettered. */
class AvroEventsTest {
    private static final Instant T = Instant.parse("2026-03-02T10:15:00.123Z");
    private final AvroEvents avro = new AvroEvents();

    private static LoginEvent login() {
        return LoginEvent.newBuilder().setEventId("e1").setAccountId("acme").setEventTime(T).setUserId("u1").build();
    }

    @Test
    void aLoginRoundTrips() throws Exception {
        AccountEvent e = avro.decode(EventType.LOGIN, AvroEvents.encode(login()));
        assertThat(e.type).isEqualTo(EventType.LOGIN);
        assertThat(e.eventId).isEqualTo("e1");
        assertThat(e.accountId).isEqualTo("acme");
        assertThat(e.eventTime).isEqualTo(T.toEpochMilli());
        assertThat(e.userId).isEqualTo("u1");
    }

    @Test
    void aUsageEventRoundTripsWithItsDefaultQuantity() throws Exception {
        UsageEvent r = UsageEvent.newBuilder().setEventId("e2").setAccountId("acme").setEventTime(T)
                .setFeature("exports").build(); // quantity left at the schema default
        AccountEvent e = avro.decode(EventType.USAGE, AvroEvents.encode(r));
        assertThat(e.type).isEqualTo(EventType.USAGE);
        assertThat(e.feature).isEqualTo("exports");
        assertThat(e.quantity).isEqualTo(1.0);
        assertThat(e.userId).isNull();
    }

    @Test
    void aTicketRoundTrips() throws Exception {
        SupportTicketEvent r = SupportTicketEvent.newBuilder().setEventId("e3").setAccountId("acme").setEventTime(T)
                .setTicketId("T-1").setStatus(TicketStatus.REOPENED).setCsat(4).build();
        AccountEvent e = avro.decode(EventType.SUPPORT_TICKET, AvroEvents.encode(r));
        assertThat(e.ticketId).isEqualTo("T-1");
        assertThat(e.ticketStatus).isEqualTo(TicketStatus.REOPENED);
        assertThat(e.priority).isEqualTo(TicketPriority.NORMAL);
        assertThat(e.csat).isEqualTo(4);
    }

    @Test
    void aPaymentRoundTrips() throws Exception {
        PaymentEvent r = PaymentEvent.newBuilder().setEventId("e4").setAccountId("acme").setEventTime(T)
                .setStatus(PaymentStatus.FAILED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-1")
                .setFailureCode("insufficient_funds").setCardExpiry("2027-11").build();
        AccountEvent e = avro.decode(EventType.PAYMENT, AvroEvents.encode(r));
        assertThat(e.paymentStatus).isEqualTo(PaymentStatus.FAILED);
        assertThat(e.amountMinor).isEqualTo(4900);
        assertThat(e.currency).isEqualTo("EUR");
        assertThat(e.invoiceId).isEqualTo("inv-1");
        assertThat(e.failureCode).isEqualTo("insufficient_funds");
        assertThat(e.cardExpiry).isEqualTo("2027-11");
    }

    @Test
    void bytesFromTheGeneratedClassesDecodeToo() throws Exception {
        ByteBuffer buf = login().toByteBuffer();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        assertThat(bytes).isEqualTo(AvroEvents.encode(login()));
        assertThat(avro.decode(EventType.LOGIN, bytes).eventId).isEqualTo("e1");
    }

    @Test
    void garbageBytesAreRejected() {
        byte[] json = "{\"type\":\"login\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> avro.decode(EventType.LOGIN, json)).isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("not Avro single-object encoded");
        assertThatThrownBy(() -> avro.decode(EventType.LOGIN, new byte[0])).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> avro.decode(EventType.LOGIN, new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aTombstoneIsRejected() {
        assertThatThrownBy(() -> avro.decode(EventType.USAGE, null)).isInstanceOf(InvalidEventException.class)
                .hasMessage("empty record value (tombstone)");
    }

    @Test
    void aRecordOfAnotherTypeIsRejected() {
        byte[] loginBytes = AvroEvents.encode(login());
        for (EventType other : new EventType[] {EventType.USAGE, EventType.SUPPORT_TICKET, EventType.PAYMENT}) {
            assertThatThrownBy(() -> avro.decode(other, loginBytes)).as(other.name())
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessageStartingWith("unknown schema fingerprint for " + other.jsonName + " events");
        }
    }

    @Test
    void aTruncatedBodyIsRejected() {
        byte[] bytes = AvroEvents.encode(login());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 4);
        assertThatThrownBy(() -> avro.decode(EventType.LOGIN, cut)).isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("corrupt Avro body");
    }

    @Test
    void aWellFormedButInvalidEventIsRejectedWithTheValidatorsReason() {
        UsageEvent negative = UsageEvent.newBuilder().setEventId("e2").setAccountId("acme").setEventTime(T)
                .setFeature("api").setQuantity(-2).build();
        assertThatThrownBy(() -> avro.decode(EventType.USAGE, AvroEvents.encode(negative)))
                .isInstanceOf(InvalidEventException.class).hasMessage("quantity must be a finite number >= 0, got -2.0");
        UsageEvent nan = UsageEvent.newBuilder(negative).setQuantity(Double.NaN).build();
        assertThatThrownBy(() -> avro.decode(EventType.USAGE, AvroEvents.encode(nan)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("quantity must be a finite number");
        LoginEvent blank = LoginEvent.newBuilder(login()).setAccountId("").build();
        assertThatThrownBy(() -> avro.decode(EventType.LOGIN, AvroEvents.encode(blank)))
                .isInstanceOf(InvalidEventException.class).hasMessage("accountId is missing or empty");
        PaymentEvent badCurrency = PaymentEvent.newBuilder().setEventId("e4").setAccountId("acme").setEventTime(T)
                .setStatus(PaymentStatus.SUCCEEDED).setAmountMinor(1).setCurrency("euro").setInvoiceId("i").build();
        assertThatThrownBy(() -> avro.decode(EventType.PAYMENT, AvroEvents.encode(badCurrency)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("currency must be an ISO 4217 code");
    }
}
