package io.churnradar.rules;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * A record of the rules topic as a {@link RulesUpdate}. Never throws: a value that is not a rules text
 * (a tombstone, bytes that are not UTF-8) still passes, so that the validator can reject it on the
 * status topic rather than stop the job.
 */
public class RulesUpdateDeserializer implements KafkaRecordDeserializationSchema<RulesUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RulesUpdate> out) {
        RulesUpdate u = RulesUpdate.of(null, record.topic(), record.partition(), record.offset());
        u.key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        u.timestamp = record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || record.timestamp() < 0 ? null : record.timestamp();
        if (record.value() == null) {
            u.problem = "the record has no value (a tombstone): a rule set cannot be deleted, publish the rules to use instead";
        } else {
            try {
                u.text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(record.value()))
                        .toString();
            } catch (CharacterCodingException e) {
                u.problem = "the value is not UTF-8 text: a rule set is the text of a rules YAML file";
            }
        }
        out.collect(u);
    }

    @Override
    public TypeInformation<RulesUpdate> getProducedType() {
        return TypeInformation.of(RulesUpdate.class);
    }
}
