package io.churnradar.ingest;

import io.churnradar.events.FeedbackEvent;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.UsageEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding of the events (2-byte marker, 8-byte schema fingerprint, body).
 * Decoding resolves the writer's schema by fingerprint in a schema store that holds every version
 * we ever shipped (the current classes plus {@code schemas/history/}), so records of producers on
 * an older schema still decode. The store stands in for a schema registry.
 */
public final class AvroEvents {
    private static final String HISTORY_INDEX = "schemas/history/index.txt";
    private static final Map<Schema, BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ConcurrentHashMap<>();

    private final Map<EventType, BinaryMessageDecoder<? extends SpecificRecord>> decoders = new EnumMap<>(EventType.class);

    public AvroEvents() {
        SchemaStore.Cache store = new SchemaStore.Cache();
        for (Schema old : historicSchemas()) {
            store.addSchema(old);
        }
        decoders.put(EventType.LOGIN, LoginEvent.createDecoder(store));
        decoders.put(EventType.USAGE, UsageEvent.createDecoder(store));
        decoders.put(EventType.SUPPORT_TICKET, SupportTicketEvent.createDecoder(store));
        decoders.put(EventType.PAYMENT, PaymentEvent.createDecoder(store));
        decoders.put(EventType.FEEDBACK, FeedbackEvent.createDecoder(store));
        decoders.put(EventType.SUBSCRIPTION, SubscriptionEvent.createDecoder(store));
    }

    /** Encodes one event record, as a producer does. */
    public static byte[] encode(SpecificRecord record) {
        try {
            ByteBuffer buf = ENCODERS.computeIfAbsent(record.getSchema(),
                    schema -> new BinaryMessageEncoder<>(SpecificData.getForSchema(schema), schema)).encode(record);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + record.getSchema().getFullName(), e);
        }
    }

    /** Decodes bytes that should hold an event of the given type, and converts and validates it. */
    public AccountEvent decode(EventType expected, byte[] bytes) throws InvalidEventException {
        if (bytes == null) {
            throw new InvalidEventException("empty record value (tombstone)");
        }
        SpecificRecord record;
        try {
            record = decoders.get(expected).decode(bytes);
        } catch (BadHeaderException e) {
            throw new InvalidEventException("not Avro single-object encoded: " + e.getMessage());
        } catch (MissingSchemaException e) {
            throw new InvalidEventException("unknown schema fingerprint for " + expected.jsonName + " events: " + e.getMessage());
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new InvalidEventException("corrupt Avro body: " + e);
        }
        return EventValidator.check(toAccountEvent(record));
    }

    /** Our event record as the event the detector reads (not yet validated). */
    public static AccountEvent toAccountEvent(SpecificRecord record) {
        if (record instanceof LoginEvent r) {
            AccountEvent e = AccountEvent.of(EventType.LOGIN, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            return e;
        }
        if (record instanceof UsageEvent r) {
            AccountEvent e = AccountEvent.of(EventType.USAGE, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            e.feature = r.getFeature();
            e.quantity = r.getQuantity();
            return e;
        }
        if (record instanceof SupportTicketEvent r) {
            AccountEvent e = AccountEvent.of(EventType.SUPPORT_TICKET, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            e.ticketId = r.getTicketId();
            e.ticketStatus = r.getStatus();
            e.priority = r.getPriority();
            e.csat = r.getCsat();
            return e;
        }
        if (record instanceof PaymentEvent r) {
            AccountEvent e = AccountEvent.of(EventType.PAYMENT, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            e.paymentStatus = r.getStatus();
            e.amountMinor = r.getAmountMinor();
            e.currency = r.getCurrency();
            e.invoiceId = r.getInvoiceId();
            e.failureCode = r.getFailureCode();
            e.cardExpiry = r.getCardExpiry();
            return e;
        }
        if (record instanceof FeedbackEvent r) {
            AccountEvent e = AccountEvent.of(EventType.FEEDBACK, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            e.survey = r.getSurvey();
            e.score = r.getScore();
            e.comment = r.getComment();
            return e;
        }
        if (record instanceof SubscriptionEvent r) {
            AccountEvent e = AccountEvent.of(EventType.SUBSCRIPTION, r.getEventId(), r.getAccountId(), r.getEventTime().toEpochMilli());
            e.userId = r.getUserId();
            e.action = r.getAction();
            e.plan = r.getPlan();
            e.mrrMinor = r.getMrrMinor();
            e.seats = r.getSeats();
            e.renewalDate = r.getRenewalDate();
            e.reason = r.getReason();
            e.doNotContact = r.getDoNotContact();
            return e;
        }
        throw new IllegalArgumentException("not an event record: " + record.getSchema().getFullName());
    }

    /** Older versions of the event schemas, listed one resource path a line in the history index. */
    private static java.util.List<Schema> historicSchemas() {
        java.util.List<Schema> out = new java.util.ArrayList<>();
        ClassLoader cl = AvroEvents.class.getClassLoader();
        try (InputStream index = cl.getResourceAsStream(HISTORY_INDEX)) {
            if (index == null) return out;
            BufferedReader r = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                line = line.trim();
                if (line.isEmpty() || line.startsWith("#")) continue;
                try (InputStream in = cl.getResourceAsStream("schemas/history/" + line)) {
                    if (in == null) throw new IllegalStateException("schema history lists a missing file: " + line);
                    out.add(new Schema.Parser().parse(in));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the schema history", e);
        }
        return out;
    }
}
