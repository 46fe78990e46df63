package io.churnradar.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.alerts.HealthTier;
import io.churnradar.sink.AvroRecordSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Health updates as the job writes them to churn.account-health: keyed by account, single-object Avro, timestamped when written (asOf in the value). */
class AccountHealthOutputTest {
    @Test
    void keyedByAccountAndDecodable() throws Exception {
        AccountHealth h = AccountHealth.newBuilder()
                .setAccountId("acct-7")
                .setScore(64)
                .setTier(HealthTier.YELLOW)
                .setComponents(List.of(new HealthComponent("usageTrend", 80.0, 50.0, 40.0), new HealthComponent("sentiment", 48.0, 50.0, 24.0)))
                .setAsOf(Instant.parse("2026-03-24T00:00:00Z"))
                .setRuleVersion("v2")
                .build();
        long before = System.currentTimeMillis();
        ProducerRecord<byte[], byte[]> r = AvroRecordSerializer.health("churn.account-health").serialize(h, null, null);
        assertThat(r.topic()).isEqualTo("churn.account-health");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("acct-7");
        // A broker refuses timestamps far ahead of its clock: an asOf in the future must not be the record's timestamp.
        assertThat(r.timestamp()).isBetween(before, System.currentTimeMillis());
        assertThat(r.value()).startsWith((byte) 0xC3, (byte) 0x01);
        assertThat(AccountHealth.getDecoder().decode(r.value())).isEqualTo(h);
    }
}
