package io.churnradar;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.JobSettings;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What each delivery guarantee asks of the sinks' producers, beside the user's kafka.properties. */
class SinkDeliveryPropertiesTest {
    @Test
    void exactlyOnceSetsTheTransactionTimeoutAndLeavesLingerToKafka() {
        JobSettings s = JobSettings.defaults();
        s.kafkaProperties.put("security.protocol", "SASL_SSL");
        Properties p = StreamingJob.producerProperties(s);
        assertThat(p).containsEntry("transaction.timeout.ms", "900000").containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKey("linger.ms");
    }

    @Test
    void atLeastOnceLingersFiveMillisecondsUnlessTheUserSaysOtherwiseAndHasNoTransactions() {
        JobSettings s = JobSettings.parse("delivery: {guarantee: at-least-once}", "test");
        assertThat(StreamingJob.producerProperties(s)).containsEntry("linger.ms", "5").doesNotContainKey("transaction.timeout.ms");

        s.kafkaProperties.put("linger.ms", "50");
        assertThat(StreamingJob.producerProperties(s)).containsEntry("linger.ms", "50");
    }
}
