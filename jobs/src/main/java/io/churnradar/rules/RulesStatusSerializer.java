package io.churnradar.rules;

import io.churnradar.alerts.RulesStatus;
import io.churnradar.ingest.AvroEvents;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Rules statuses to Kafka, Avro single-object encoded, keyed by the version they answer (else the rules record's key). */
public final class RulesStatusSerializer {
    private RulesStatusSerializer() {}

    public static KafkaRecordSerializationSchema<RulesStatus> forTopic(String topic) {
        return (status, context, timestamp) -> new ProducerRecord<>(
                topic, null, status.getReceivedAt().toEpochMilli(), key(status).getBytes(StandardCharsets.UTF_8), AvroEvents.encode(status));
    }

    public static String key(RulesStatus s) {
        if (s.getVersion() != null) return s.getVersion();
        return s.getSourceKey() != null ? s.getSourceKey() : "rules";
    }
}
