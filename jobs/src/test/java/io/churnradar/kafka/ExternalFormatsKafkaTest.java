package io.churnradar.kafka;

import static io.churnradar.testing.SourcePayloads.segmentGroup;
import static io.churnradar.testing.SourcePayloads.segmentTrack;
import static io.churnradar.testing.SourcePayloads.stripeInvoiceFailed;
import static io.churnradar.testing.SourcePayloads.zendeskTicketCreated;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import io.churnradar.testing.LocalSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every input format on its own topic of a real broker, read by the streaming job as it is wired:
 * Confluent-format Avro against a registry on localhost speaking its REST API, our events as JSON,
 * and Stripe, Segment, Zendesk and survey webhooks as they arrive; what cannot be attributed or
 * read goes to the dead letters with its reason, its topic and its bytes.
 */
class ExternalFormatsKafkaTest {
    private static final int PARALLELISM = 2;

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @Test
    void eachFormatOnItsTopicRaisesItsAlertsAndRejectsWhatItCannotRead() throws Exception {
        try (LocalSchemaRegistry registry = new LocalSchemaRegistry()) {
            JobSettings s = KafkaJobRun.settings(KAFKA, "fmt");
            Map<String, InputFormat> formats = new LinkedHashMap<>();
            formats.put(s.subscriptionTopic, InputFormat.JSON);
            formats.put("fmt.confluent", InputFormat.AVRO_CONFLUENT);
            formats.put("fmt.stripe", InputFormat.STRIPE);
            formats.put("fmt.segment", InputFormat.SEGMENT);
            formats.put("fmt.zendesk", InputFormat.ZENDESK);
            formats.put("fmt.survey", InputFormat.SURVEY);
            s.topicFormats = formats;
            s.formatOptions.schemaRegistryUrl = registry.url();
            s.formatOptions.stripeAccountMetadataKey = "account_id";
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t : s.inputTopics()) topics.put(t, 1);
            topics.put(s.rulesTopic, 1);
            for (String t : s.outputTopics()) topics.put(t, 1);
            KAFKA.createTopics(topics);

            byte[] badConfluent = {1, 2, 3};
            try (KafkaProducer<byte[], byte[]> p = KAFKA.producer()) {
                send(p, s.subscriptionTopic, "{\"eventId\":\"c1\",\"accountId\":\"acme\",\"eventTime\":\"2026-03-09T09:00:00Z\","
                        + "\"action\":\"CANCEL_REQUESTED\",\"reason\":\"too_expensive\"}");
                send(p, s.subscriptionTopic, "{\"type\":\"login\",\"eventId\":\"x\",\"accountId\":\"acme\",\"eventTime\":1772446500000}");
                p.send(new ProducerRecord<>("fmt.confluent", utf8("initech"), registry.encode(PaymentEvent.newBuilder().setEventId("p-9")
                        .setAccountId("initech").setEventTime(Instant.parse("2026-03-04T12:00:00Z")).setStatus(PaymentStatus.FAILED)
                        .setAmountMinor(9900).setCurrency("EUR").setInvoiceId("inv-9").setFailureCode("insufficient_funds").build())));
                p.send(new ProducerRecord<>("fmt.confluent", utf8("initech"), badConfluent));
                send(p, "fmt.stripe", stripeInvoiceFailed("evt_f1", "invoice.payment_failed", "in_2", "cus_A", "acme", 5000, 1,
                        "2026-03-05T08:00:00Z"));
                send(p, "fmt.stripe", "{\"id\":\"evt_p\",\"object\":\"event\",\"type\":\"product.created\",\"created\":1772900000,"
                        + "\"data\":{\"object\":{\"id\":\"prod_1\"}}}");
                send(p, "fmt.segment", segmentGroup("m-g", "u7", "hooli", "2026-03-02T09:00:00Z"));
                send(p, "fmt.segment", segmentTrack("m-in", "u7", null, "Signed In", "2026-03-02T10:00:00Z"));
                send(p, "fmt.segment", segmentTrack("m-lost", "u9", null, "Report Built", "2026-03-02T10:05:00Z"));
                send(p, "fmt.zendesk", zendeskTicketCreated("z1", "101", "acme", "NORMAL", "2026-03-10T12:00:00Z"));
                send(p, "fmt.zendesk", zendeskTicketCreated("z2", "102", "acme", "HIGH", "2026-03-11T12:00:00Z"));
                send(p, "fmt.zendesk", zendeskTicketCreated("z3", "103", "acme", "NORMAL", "2026-03-12T12:00:00Z"));
                send(p, "fmt.zendesk", zendeskTicketCreated("z0", "100", null, "LOW", "2026-03-12T13:00:00Z"));
                send(p, "fmt.survey", "{\"event_type\":\"survey_response.created\",\"event_id\":\"d1\",\"event_data\":{\"id\":\"5435\","
                        + "\"person\":{\"id\":\"5\"},\"survey_type\":\"nps\",\"score\":3,\"comment\":\"Too slow\",\"created_at\":1772446500,"
                        + "\"person_properties\":{\"account_id\":\"acme\"}}}");
            }

            KafkaJobRun.runToEnd(s, PARALLELISM);

            List<String> alerts = new ArrayList<>();
            for (RiskAlert a : KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED)) {
                alerts.add(a.getAccountId() + " " + a.getSignal() + " " + a.getStatus() + " " + a.getDetectedAt());
            }
            assertThat(alerts).contains(
                    "initech PAYMENT_FAILED RAISED 2026-03-04T12:00:00Z",
                    "acme PAYMENT_FAILED RAISED 2026-03-05T08:00:00Z",
                    "acme CANCELLATION_REQUESTED RAISED 2026-03-09T09:00:00Z",
                    "acme TICKET_SPIKE RAISED 2026-03-12T12:00:00Z",
                    "acme NPS_DETRACTOR RAISED 2026-03-02T10:15:00Z");

            // hooli is only known through u7's group call: its score proves the linked sign-in reached it.
            List<String> scored = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, s.accountHealthTopic, IsolationLevel.READ_COMMITTED)) {
                scored.add(AccountHealth.getDecoder().decode(r.value()).getAccountId());
            }
            assertThat(scored).contains("hooli");

            Map<String, DeadLetter> dead = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, s.deadLetterTopic, IsolationLevel.READ_COMMITTED)) {
                DeadLetter d = KafkaJobRun.deadLetter(r);
                dead.put(d.getSource() + ": " + d.getReason(), d);
            }
            assertThat(dead.keySet()).containsExactlyInAnyOrder(
                    s.subscriptionTopic + ": type 'login' on a topic of subscription events",
                    "fmt.confluent: not Confluent wire format: expected magic byte 0 and a 4-byte schema id, got byte 1 and 3 bytes",
                    "fmt.stripe: Stripe event type 'product.created' carries no churn signal we read; send invoice.*, charge.*,"
                            + " customer.subscription.*, payment_method.* and customer.source.expiring (docs/inputs.md)",
                    "fmt.segment: no account: the payload names none, and user u9 has not been linked to an account (by a group call) before it",
                    "fmt.zendesk: no account: ticket 100 has no detail.organization_id");
            DeadLetter lost = dead.values().stream().filter(d -> d.getSource().equals("fmt.segment")).findFirst().orElseThrow();
            assertThat(StandardCharsets.UTF_8.decode(lost.getPayload()).toString()).contains("\"messageId\":\"m-lost\"");
            assertThat(lost.getOffset()).isEqualTo(2L);
            DeadLetter bad = dead.values().stream().filter(d -> d.getSource().equals("fmt.confluent")).findFirst().orElseThrow();
            byte[] original = new byte[bad.getPayload().remaining()];
            bad.getPayload().get(original);
            assertThat(original).isEqualTo(badConfluent);
            assertThat(registry.lookups()).isGreaterThanOrEqualTo(1);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> p, String topic, String json) {
        p.send(new ProducerRecord<>(topic, null, utf8(json)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
