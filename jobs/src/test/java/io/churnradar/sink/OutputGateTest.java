package io.churnradar.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.DeadLetters;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The gate alone, with the limits it would read from the broker given: what passes is restamped,
 * what cannot be written becomes a dead letter that fits the dead-letter topic. (On a real broker:
 * kafka.RefusedOutputRecordsTest.)
 */
class OutputGateTest {
    private static final JobSettings S = JobSettings.defaults();

    @Test
    void aRecordWithinTheLimitPassesStampedWithTheTimeOfWriting() {
        OutputGate<String> gate = gate((v, c, t) -> new ProducerRecord<>("out", null, 4_070_908_800_000L, null, v.getBytes()), "out");
        long before = System.currentTimeMillis();
        ProducerRecord<byte[], byte[]> r = gate.serialize("small", null, null);
        assertThat(r.topic()).isEqualTo("out");
        assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis());
        assertThat(r.value()).isEqualTo("small".getBytes());
    }

    @Test
    void aRecordThatCannotBeSerializedIsADeadLetter() throws Exception {
        SimpleCounter refused = new SimpleCounter();
        OutputGate<String> gate = gate((v, c, t) -> {
            throw new NullPointerException("accountId");
        }, "out", refused);
        ProducerRecord<byte[], byte[]> r = gate.serialize("x", null, null);
        assertThat(r.topic()).isEqualTo(S.deadLetterTopic);
        DeadLetter d = DeadLetter.getDecoder().decode(r.value());
        assertThat(d.getSource()).isEqualTo("output:out");
        assertThat(d.getReason()).startsWith("cannot be serialized for out: java.lang.NullPointerException");
        assertThat(refused.getCount()).isEqualTo(1);
    }

    @Test
    void aDeadLetterTooLargeForItsTopicKeepsFewerBytesOfItsOriginal() throws Exception {
        byte[] original = new byte[60_000];
        Arrays.fill(original, (byte) 'x');
        DeadLetter big = DeadLetters.of("not an event", "events.login", 0, 7L, "acct-1".getBytes(), original);
        OutputGate<DeadLetter> gate = new OutputGateFactory().forDeadLetters();
        ProducerRecord<byte[], byte[]> r = gate.serialize(big, null, null);
        assertThat(OutputGate.sizeOf(r.key(), r.value())).isLessThanOrEqualTo(20_000);
        DeadLetter d = DeadLetter.getDecoder().decode(r.value());
        assertThat(d.getSource()).isEqualTo("events.login");
        assertThat(d.getOffset()).isEqualTo(7L);
        assertThat(d.getReason()).startsWith("not an event; the dead letter keeps fewer of the original's 60000 bytes (sha256 ");
        assertThat(d.getPayload().remaining()).isPositive().isLessThan(20_000);
        assertThat(bytes(d.getPayload())).isEqualTo(Arrays.copyOf(original, d.getPayload().remaining()));
    }

    private static final class OutputGateFactory {
        OutputGate<DeadLetter> forDeadLetters() {
            KafkaRecordSerializationSchema<DeadLetter> s = AvroRecordSerializer.deadLetters(S.deadLetterTopic);
            OutputGate<DeadLetter> gate = OutputGate.of(s, S.deadLetterTopic, S);
            gate.open(20_000, 20_000, new SimpleCounter());
            return gate;
        }
    }

    private static OutputGate<String> gate(KafkaRecordSerializationSchema<String> s, String topic) {
        return gate(s, topic, new SimpleCounter());
    }

    private static OutputGate<String> gate(KafkaRecordSerializationSchema<String> s, String topic, SimpleCounter refused) {
        OutputGate<String> gate = OutputGate.of(s, topic, S);
        gate.open(1_000, 20_000, refused);
        return gate;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
