package io.churnradar.ingest.formats;

import io.churnradar.events.FeedbackEvent;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.InvalidEventException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Our events written by Confluent's Avro serializers: magic byte 0, the writer schema's 4-byte
 * registry id (big-endian), the Avro binary body. The writer schema comes from the local id-to-schema
 * file, else from the registry (cached); the record is read into our current schema of the same
 * record name, so producers on an older or newer compatible schema keep working.
 */
final class ConfluentAvroMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;
    private static final List<Schema> OURS = List.of(LoginEvent.getClassSchema(), UsageEvent.getClassSchema(),
            SupportTicketEvent.getClassSchema(), PaymentEvent.getClassSchema(), FeedbackEvent.getClassSchema(),
            SubscriptionEvent.getClassSchema());

    private final String registryUrl;
    private final Map<Integer, String> localSchemas;
    private transient SchemaRegistryClient registry;
    private transient Map<Integer, SpecificDatumReader<SpecificRecord>> readers;

    ConfluentAvroMapper(String registryUrl, Map<Integer, String> localSchemas) {
        this.registryUrl = registryUrl;
        this.localSchemas = new TreeMap<>(localSchemas);
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        if (payload == null) throw new InvalidEventException("empty record value (tombstone)");
        if (payload.length < 5 || payload[0] != 0) {
            throw new InvalidEventException("not Confluent wire format: expected magic byte 0 and a 4-byte schema id, got "
                    + (payload.length == 0 ? "no bytes" : "byte " + payload[0] + " and " + payload.length + " bytes"));
        }
        int id = ((payload[1] & 0xff) << 24) | ((payload[2] & 0xff) << 16) | ((payload[3] & 0xff) << 8) | (payload[4] & 0xff);
        SpecificDatumReader<SpecificRecord> reader = reader(id);
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(payload, 5, payload.length - 5, null);
        SpecificRecord record;
        try {
            record = reader.read(null, in);
            if (!in.isEnd()) throw new InvalidEventException("bytes left after the Avro record of schema id " + id);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException | ClassCastException e) {
            throw new InvalidEventException("corrupt Avro body for schema id " + id + ": " + e);
        }
        return Mapped.of(AvroEvents.toAccountEvent(record));
    }

    private SpecificDatumReader<SpecificRecord> reader(int id) throws InvalidEventException {
        if (readers == null) readers = new HashMap<>();
        SpecificDatumReader<SpecificRecord> r = readers.get(id);
        if (r != null) return r;
        Schema writer = writerSchema(id);
        if (writer.getType() != Schema.Type.RECORD) throw new InvalidEventException("schema id " + id + " is a " + writer.getType() + ", not one of our event records");
        Schema ours = OURS.stream().filter(s -> s.getName().equals(writer.getName())).findFirst().orElseThrow(() ->
                new InvalidEventException("schema id " + id + " is record " + writer.getFullName()
                        + ", none of ours: LoginEvent, UsageEvent, SupportTicketEvent, PaymentEvent, FeedbackEvent, SubscriptionEvent"));
        r = new SpecificDatumReader<>(writer, ours, SpecificData.getForSchema(ours));
        readers.put(id, r);
        return r;
    }

    private Schema writerSchema(int id) throws InvalidEventException {
        String local = localSchemas.get(id);
        if (local != null) return new Schema.Parser().parse(local);
        if (registryUrl == null) throw new InvalidEventException("schema id " + id + " is not in the local schemas file");
        if (registry == null) registry = new SchemaRegistryClient(registryUrl);
        return registry.schema(id);
    }
}
