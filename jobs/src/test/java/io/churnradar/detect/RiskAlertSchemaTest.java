package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

/** RiskAlert gained healthScore and healthTier with defaults: version-1 records still decode, and version-1 readers read new ones. */
class RiskAlertSchemaTest {

    private static Schema v1() throws Exception {
        try (InputStream in = RiskAlertSchemaTest.class.getClassLoader().getResourceAsStream("schemas/history/v1/RiskAlert.avsc")) {
            assertThat(in).as("the previous schema ships in schemas/history").isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void theHistoryIndexListsTheVersion1Schema() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schemas/history/index.txt")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\nv1/RiskAlert.avsc");
        }
        assertThat(v1().getField("healthScore")).isNull();
        assertThat(RiskAlert.getClassSchema().getField("healthScore").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
        assertThat(RiskAlert.getClassSchema().getField("healthTier").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    }

    @Test
    void compatibleBothWays() throws Exception {
        Schema now = RiskAlert.getClassSchema();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, v1()).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v1(), now).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void aVersion1AlertDecodesWithoutAScore() throws Exception {
        Schema v1 = v1();
        GenericRecord old = new GenericData.Record(v1);
        old.put("alertId", "id-1");
        old.put("accountId", "acct-1");
        old.put("signal", "USAGE_DROP");
        old.put("severity", new GenericData.EnumSymbol(v1.getField("severity").schema(), "HIGH"));
        old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "RAISED"));
        old.put("detectedAt", Instant.parse("2026-03-24T00:00:00Z").toEpochMilli());
        old.put("episodeStart", Instant.parse("2026-03-24T00:00:00Z").toEpochMilli());
        old.put("evidence", Map.of("cur", "40"));
        old.put("explanation", "Usage fell.");
        old.put("ruleVersion", "default-1");
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(v1);
        BinaryMessageDecoder<RiskAlert> decoder = RiskAlert.createDecoder(store);
        RiskAlert read = decoder.decode(bytes);
        assertThat(read.getSignal()).isEqualTo("USAGE_DROP");
        assertThat(read.getEvidence()).containsEntry("cur", "40");
        assertThat(read.getHealthScore()).isNull();
        assertThat(read.getHealthTier()).isNull();
    }
}
