package io.churnradar.sink;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.ingest.AvroEvents;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes our output records to Kafka, Avro single-object encoded, keyed for their consumers. */
public final class AvroRecordSerializer {
    private AvroRecordSerializer() {}

    /**
     * Alerts keyed by account id. The record timestamp is the time of writing (detectedAt is in the
     * value): stamped in event time, the alerts of a replay of old events would fall out of the
     * topic's time retention as soon as they are written.
     */
    public static KafkaRecordSerializationSchema<RiskAlert> alerts(String topic) {
        return (alert, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                alert.getAccountId().getBytes(StandardCharsets.UTF_8), AvroEvents.encode(alert));
    }

    /**
     * Health updates keyed by account id (the topic is compacted: the latest per account stays),
     * timestamped when written like every record we write (asOf is in the value): a broker refuses
     * timestamps more than an hour ahead of its clock by default, and a refused record fails the job.
     */
    public static KafkaRecordSerializationSchema<AccountHealth> health(String topic) {
        return (health, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                health.getAccountId().getBytes(StandardCharsets.UTF_8), AvroEvents.encode(health));
    }

    /**
     * Retention commands (and their audit) keyed by account id, so one account's commands stay in
     * order on one partition; timestamped when written, like alerts (issuedAt is in the value).
     */
    public static KafkaRecordSerializationSchema<RetentionCommand> commands(String topic) {
        return (command, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                command.getAccountId().getBytes(StandardCharsets.UTF_8), AvroEvents.encode(command));
    }

    /**
     * Daily playbook outcomes keyed by playbook, so that one playbook's days stay in one partition, in
     * order; timestamped when written, like alerts (the day is in the value).
     */
    public static KafkaRecordSerializationSchema<PlaybookOutcome> playbookOutcomes(String topic) {
        return (outcome, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                outcome.getPlaybook().getBytes(StandardCharsets.UTF_8), AvroEvents.encode(outcome));
    }

    /**
     * Retention KPIs keyed by day|segment: the topic is compacted, and a record restated for its day and
     * segment replaces the earlier one. Timestamped when written (the day is in the value).
     */
    public static KafkaRecordSerializationSchema<io.churnradar.retention.RetentionKpi> kpis(String topic) {
        return (kpi, context, timestamp) -> new ProducerRecord<>(
                topic, null, System.currentTimeMillis(),
                (kpi.getDay() + "|" + kpi.getSegment()).getBytes(StandardCharsets.UTF_8), AvroEvents.encode(kpi));
    }

    /** Dead letters keyed as the original record was, timestamped when written (never the original's timestamp). */
    public static KafkaRecordSerializationSchema<DeadLetter> deadLetters(String topic) {
        return (letter, context, timestamp) -> {
            byte[] key = null;
            if (letter.getKey() != null) {
                key = new byte[letter.getKey().remaining()];
                letter.getKey().duplicate().get(key);
            }
            return new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, AvroEvents.encode(letter));
        };
    }
}
