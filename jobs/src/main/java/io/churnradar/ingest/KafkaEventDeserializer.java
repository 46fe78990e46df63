package io.churnradar.ingest;

import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a record of any of the event topics into an event, choosing the schema by topic; a record
 * that does not decode or validate becomes a dead letter with its topic, partition, offset and bytes.
 * Never throws: one bad record must not stop the job.
 */
public class KafkaEventDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;

    private final Map<String, EventType> typeByTopic;
    private transient AvroEvents avro;

    public KafkaEventDeserializer(Map<String, EventType> typeByTopic) {
        this.typeByTopic = Map.copyOf(typeByTopic);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        if (avro == null) avro = new AvroEvents();
        EventType type = typeByTopic.get(record.topic());
        try {
            if (type == null) throw new InvalidEventException("topic " + record.topic() + " carries no known event type");
            out.collect(Ingested.event(avro.decode(type, record.value())));
        } catch (InvalidEventException e) {
            out.collect(Ingested.deadLetter(DeadLetters.of(
                    e.getMessage(), record.topic(), record.partition(), record.offset(), record.key(), record.value())));
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
