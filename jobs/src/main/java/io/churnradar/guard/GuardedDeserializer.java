package io.churnradar.guard;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.ingest.DeadLetters;
import io.churnradar.ingest.Ingested;
import java.util.Arrays;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The streaming job's defence against hostile records, around the deserializer of the event topics:
 * a record above {@code limits.maxRecordBytes} is dead-lettered before it is decoded (its first bytes,
 * full size and SHA-256 kept), and an event the {@link EventTimeGuard} rejects (too far ahead of the
 * wall clock, too late to de-duplicate) becomes a dead letter with the record's bytes. It happens in
 * the source, before timestamps and watermarks are assigned, so a rejected event never moves event time.
 */
public final class GuardedDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;

    /** Our keys are account ids: a key above this is not one, and its dead letter keeps only this much of it. */
    static final int MAX_KEY_BYTES = 4096;

    private final KafkaRecordDeserializationSchema<Ingested> inner;
    private final EventTimeGuard guard;
    private final int maxRecordBytes;

    public GuardedDeserializer(KafkaRecordDeserializationSchema<Ingested> inner, EventTimeGuard guard, int maxRecordBytes) {
        this.inner = inner;
        this.guard = guard;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        inner.open(context);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) throws java.io.IOException {
        byte[] key = record.key();
        Oversize bigKey = Oversize.of(key, MAX_KEY_BYTES);
        if (bigKey != null) key = Arrays.copyOf(key, MAX_KEY_BYTES);
        Oversize big = Oversize.of(record.value(), maxRecordBytes);
        if (big != null || bigKey != null) {
            String reason = big != null ? big.reason(maxRecordBytes, "limits.maxRecordBytes")
                    : "key " + bigKey.reason(MAX_KEY_BYTES, "the key limit");
            out.collect(Ingested.deadLetter(DeadLetters.of(reason, record.topic(), record.partition(), record.offset(), key,
                    big != null ? big.prefix : record.value())));
            return;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        inner.deserialize(record, new Collector<>() {
            @Override
            public void collect(Ingested i) {
                String reason = i.event == null ? null : guard.check(i.event, partition);
                if (reason == null) {
                    out.collect(i);
                    return;
                }
                out.collect(Ingested.deadLetter(deadLetter(reason, record)));
                // The user-to-account link a rejected record teaches is still true: it goes on without the event.
                if (i.linkUser != null) out.collect(Ingested.pending(i.pendingUser, null, i.linkUser, i.linkAccount, i.deadLetter));
            }

            @Override
            public void close() {}
        });
    }

    private static DeadLetter deadLetter(String reason, ConsumerRecord<byte[], byte[]> record) {
        return DeadLetters.of(reason, record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return inner.getProducedType();
    }
}
