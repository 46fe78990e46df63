package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.testing.LocalSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest over a dump of a schema-registry topic: Confluent-framed Avro records one per line,
 * base64-encoded, their writer schemas looked up by id in a real (local) registry over its REST API.
 */
class ConfluentAvroBacktestTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    @Test
    void aDumpOfRegistryFramedRecordsIsReplayedAndBadLinesAreDeadLettered() throws Exception {
        Instant t0 = Instant.parse("2026-04-01T09:00:00Z");
        try (LocalSchemaRegistry registry = new LocalSchemaRegistry()) {
            List<String> lines = new ArrayList<>();
            Base64.Encoder b64 = Base64.getEncoder();
            lines.add(b64.encodeToString(registry.encode(LoginEvent.newBuilder()
                    .setEventId("l-1").setAccountId("acct-c").setEventTime(t0).build())));
            lines.add(b64.encodeToString(registry.encode(PaymentEvent.newBuilder()
                    .setEventId("p-1").setAccountId("acct-c").setEventTime(t0.plusSeconds(3600)).setStatus(PaymentStatus.FAILED)
                    .setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-1").setFailureCode("card_declined").build())));
            lines.add("%%% not base64 %%%");
            Path dump = Files.write(tmp.resolve("payments.b64"), lines, StandardCharsets.UTF_8);

            FormatOptions options = FormatOptions.defaults();
            options.schemaRegistryUrl = registry.url();
            Path out = tmp.resolve("out");
            BacktestSummary s = BacktestJob.run(List.of(BacktestInput.parse("avro-confluent=" + dump)), options, out,
                    Rules.defaults(), Duration.ofMinutes(10), 1, BacktestEndToEndTest.flinkConfig());

            assertThat(s.eventsAccepted).isEqualTo(2);
            assertThat(s.deadLettered).isEqualTo(1);
            assertThat(Files.readAllLines(out.resolve("alerts.jsonl")))
                    .singleElement().satisfies(a -> assertThat(a).contains("\"signal\":\"PAYMENT_FAILED\"", "\"accountId\":\"acct-c\""));
            assertThat(Files.readString(out.resolve("dead-letter.jsonl"))).contains("not a base64-encoded record", "\"line\":3");
        }
    }
}
