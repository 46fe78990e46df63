package io.churnradar.ingest;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.ingest.formats.Mapped;
import io.churnradar.ingest.formats.PayloadMapper;
import io.churnradar.ingest.formats.UserLinks;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a record of any input topic into events with the mapper of the topic's format; a record that
 * does not decode, map or validate becomes a dead letter with its topic, partition, offset and bytes.
 * A payload that is valid but carries no churn signal (a Stripe event we do not use, a Segment page
 * view) is counted as skipped. Never throws: one bad record must not stop the job.
 */
public class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;

    private final Map<String, PayloadMapper> mapperByTopic;
    private transient Counter skipped;

    public KafkaEventDeserializer(Map<String, PayloadMapper> mapperByTopic) {
        this.mapperByTopic = Map.copyOf(mapperByTopic);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        skipped = context.getMetricGroup().counter("skippedPayloads");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        PayloadMapper mapper = mapperByTopic.get(record.topic());
        try {
            if (mapper == null) throw new InvalidEventException("topic " + record.topic() + " has no input format");
            Mapped mapped = mapper.map(record.value());
            if (mapped.skipped != null) {
                if (skipped != null) skipped.inc();
                return;
            }
            String user = mapped.user();
            if (user != null && mapper.learnsUserLinks()) {
                emitPending(mapped, user, deadLetter("", record), out);
                return;
            }
            for (AccountEvent e : mapped.resolve(UserLinks.NONE)) out.collect(Ingested.event(e));
        } catch (InvalidEventException | RuntimeException e) {
            // A mapper's unforeseen failure is this record's problem, not the job's.
            String reason = e instanceof InvalidEventException ? e.getMessage() : "cannot map the payload: " + e;
            out.collect(Ingested.deadLetter(deadLetter(reason, record)));
        }
    }

    /** Events that need, or links that teach, a user's account go to {@link UserLinkResolver}, keyed by the user. */
    static void emitPending(Mapped mapped, String user, DeadLetter ifUnresolved, Collector<Ingested> out) {
        List<AccountEvent> events = mapped.events;
        if (events.isEmpty()) {
            out.collect(Ingested.pending(user, null, mapped.linkUser, mapped.linkAccount, ifUnresolved));
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            out.collect(Ingested.pending(user, events.get(i), i == 0 ? mapped.linkUser : null, i == 0 ? mapped.linkAccount : null,
                    ifUnresolved));
        }
    }

    private static DeadLetter deadLetter(String reason, ConsumerRecord<byte[], byte[]> record) {
        return DeadLetters.of(reason, record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
