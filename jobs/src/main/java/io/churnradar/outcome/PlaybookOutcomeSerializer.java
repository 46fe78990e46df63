package io.churnradar.outcome;

import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.ingest.AvroEvents;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes daily playbook outcomes to Kafka, Avro single-object encoded like our other outputs. */
public final class PlaybookOutcomeSerializer {
    private PlaybookOutcomeSerializer() {}

    /**
     * Outcomes keyed by playbook, so that one playbook's days stay in one partition, in order. The
     * record timestamp is the time of writing (the day is in the value), as for alerts: stamped with
     * its day, the output of a replay of old events would fall out of the topic's time retention as
     * soon as it was written.
     */
    public static KafkaRecordSerializationSchema<PlaybookOutcome> playbookOutcomes(String topic) {
        return (outcome, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                outcome.getPlaybook().getBytes(StandardCharsets.UTF_8), AvroEvents.encode(outcome));
    }
}
