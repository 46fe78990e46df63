package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.results.AlertJson;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import io.churnradar.topology.PersonalData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events whose free fields carry personal data (survey comments, e-mail addresses and names as user
 * ids, in a cancellation reason, a plan, a feature, ticket and invoice ids) on both paths: by default
 * none of it reaches the alerts, health, commands, command audit, playbook outcomes or the logs (the
 * dead letters alone keep original bytes, by design); with the rules' {@code privacy.includePersonalData}
 * the comments and e-mail user ids come through in the alerts' evidence, as docs/signals.md says.
 */
public class PersonalDataOutputsTest {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY0 = Instant.parse("2026-03-02T00:00:00Z");

    private static final String NPS_COMMENT = "Jane Doe here: the new UI is awful, write to jane.doe@example.com";
    private static final String CSAT_COMMENT = "John Smith says the support was rude";
    private static final String CANCEL_REASON = "Leaving for a competitor, says Mary Major (mary.major@example.org)";
    /** Nothing of these may reach an output by default. */
    public static final List<String> PERSONAL = List.of("@example.", "Jane Doe", "jane.doe", "new UI is awful", "John Smith",
            "support was rude", "Mary Major", "mary.major", "competitor", "erin@", "carol@", "dave@", "bob@", "eve@");

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @Test
    void theBacktestKeepsPersonalDataOutOfItsOutputsUnlessTheRulesAllowIt(@TempDir Path dir) throws Exception {
        Path events = dir.resolve("events.jsonl");
        Files.write(events, history().stream().map(JsonNode::toString).toList(), StandardCharsets.UTF_8);

        Path out = dir.resolve("default");
        LogCapture logs = LogCapture.begin();
        try {
            BacktestJob.run(events, out, Rules.defaults(), Duration.ofMinutes(10), PARALLELISM, FlinkTestCluster.config());
        } finally {
            logs.stop();
        }
        List<RiskAlert> alerts = readAlerts(out.resolve("alerts.jsonl"));
        assertPlanted(alerts);
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().startsWith("dead-letter")) continue; // original bytes, by design
                assertNoPersonalData(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        assertNoPersonalData("the log", logs.text());

        // Allowed by the rules: the comments and the e-mail user ids reach the evidence as given.
        Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, "version: default-1\nprivacy:\n  includePersonalData: true\n");
        Path allowed = dir.resolve("allowed");
        BacktestJob.run(events, allowed, Rules.load(rulesFile), Duration.ofMinutes(10), PARALLELISM, FlinkTestCluster.config());
        List<RiskAlert> withPersonal = readAlerts(allowed.resolve("alerts.jsonl"));
        RiskAlert nps = only(withPersonal, "acct-nps", "NPS_DETRACTOR");
        assertThat(nps.getEvidence()).containsEntry("comment", NPS_COMMENT).containsEntry("userId", "jane.doe@example.com");
        assertThat(only(withPersonal, "acct-csat", "LOW_CSAT").getEvidence()).containsEntry("comment", CSAT_COMMENT);
        assertThat(only(withPersonal, "acct-cancel", "CANCELLATION_REQUESTED").getEvidence()).containsEntry("reason", CANCEL_REASON);
    }

    @Test
    void theStreamingJobKeepsPersonalDataOutOfItsOutputsAndLogs() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "privacy");
        for (String t : s.eventTopics()) s.topicFormats.put(t, InputFormat.JSON);
        KafkaJobRun.createTopics(KAFKA, s, 1);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (ObjectNode e : history()) {
                String topic = s.topicOf(EventType.fromJsonName(e.get("type").asText()));
                producer.send(new ProducerRecord<>(topic, e.get("accountId").asText().getBytes(StandardCharsets.UTF_8),
                        e.toString().getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }

        LogCapture logs = LogCapture.begin();
        try {
            KafkaJobRun.runToEnd(s, PARALLELISM);
        } finally {
            logs.stop();
        }

        assertPlanted(KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED));
        assertThat(KafkaJobRun.records(KAFKA, s.commandsAuditTopic, IsolationLevel.READ_COMMITTED)).isNotEmpty();
        for (String topic : s.outputTopics()) {
            if (topic.equals(s.deadLetterTopic)) continue; // original bytes, by design (docs/operations.md)
            for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, topic, IsolationLevel.READ_COMMITTED)) {
                if (r.key() != null) assertNoPersonalData(topic + " key", new String(r.key(), StandardCharsets.UTF_8));
                assertNoPersonalData(topic, new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        assertNoPersonalData("the log", logs.text());
    }

    /** The alerts the history plants, with what is left of their free fields by default. */
    private static void assertPlanted(List<RiskAlert> alerts) {
        RiskAlert nps = only(alerts, "acct-nps", "NPS_DETRACTOR");
        assertThat(nps.getEvidence()).doesNotContainKey("comment").containsKey("userId");
        assertThat(nps.getEvidence().get("userId")).startsWith("user-");
        assertThat(only(alerts, "acct-csat", "LOW_CSAT").getEvidence().get("userId")).startsWith("user-");
        RiskAlert cancel = only(alerts, "acct-cancel", "CANCELLATION_REQUESTED");
        assertThat(cancel.getEvidence()).containsEntry("reason", PersonalData.WITHHELD);
        assertThat(cancel.getExplanation()).contains(PersonalData.WITHHELD);
        assertThat(only(alerts, "acct-pay", "PAYMENT_FAILED").getEvidence()).containsEntry("failureCode", "card_declined")
                .hasEntrySatisfying("invoiceId", v -> assertThat(v).startsWith("user-"));
        assertThat(only(alerts, "acct-tix", "TICKET_SPIKE").getEvidence().get("ticketId")).startsWith("user-");
        assertThat(only(alerts, "acct-onb", "ONBOARDING_STALLED").getEvidence().get("features")).startsWith("user-");
        for (RiskAlert a : alerts) assertNoPersonalData("alert " + a.getAlertId(), AlertJson.toJson(a));
    }

    private static void assertNoPersonalData(String where, String text) {
        for (String p : PERSONAL) assertThat(text).as("%s holds '%s'", where, p).doesNotContain(p);
    }

    private static RiskAlert only(List<RiskAlert> alerts, String account, String signal) {
        List<RiskAlert> found = alerts.stream()
                .filter(a -> a.getAccountId().equals(account) && a.getSignal().equals(signal)).toList();
        assertThat(found).as("%s %s in %s", account, signal, alerts.stream().map(a -> a.getAccountId() + " " + a.getSignal()).toList())
                .isNotEmpty();
        return found.get(0);
    }

    private static List<RiskAlert> readAlerts(Path file) throws Exception {
        List<RiskAlert> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            java.util.Map<String, String> evidence = new java.util.LinkedHashMap<>();
            n.get("evidence").fields().forEachRemaining(e -> evidence.put(e.getKey(), e.getValue().asText()));
            out.add(RiskAlert.newBuilder()
                    .setAlertId(n.get("alertId").asText())
                    .setAccountId(n.get("accountId").asText())
                    .setSignal(n.get("signal").asText())
                    .setSeverity(io.churnradar.alerts.Severity.valueOf(n.get("severity").asText()))
                    .setStatus(io.churnradar.alerts.AlertStatus.valueOf(n.get("status").asText()))
                    .setDetectedAt(Instant.parse(n.get("detectedAt").asText()))
                    .setEpisodeStart(Instant.parse(n.get("episodeStart").asText()))
                    .setEvidence(evidence)
                    .setExplanation(n.get("explanation").asText())
                    .setRuleVersion(n.get("ruleVersion").asText())
                    .setHealthScore(n.hasNonNull("healthScore") ? n.get("healthScore").asInt() : null)
                    .setHealthTier(n.hasNonNull("healthTier") ? n.get("healthTier").asText() : null)
                    .build());
        }
        return out;
    }

    /** The history, in our JSON event format, in event-time order (also webhook.WebhookPersonalDataTest's). */
    public static List<ObjectNode> history() {
        List<ObjectNode> h = new ArrayList<>();
        // Moves event time on to day 20 on every topic (the streaming job's watermark is the least of
        // them); its user is a person's address.
        for (int d = 0; d <= 20; d++) {
            h.add(event("login", "clock-l" + d, "acct-clock", d, 12).put("userId", "eve@example.com"));
            h.add(event("usage", "clock-u" + d, "acct-clock", d, 12).put("feature", "ping").put("quantity", 1));
            h.add(event("support_ticket", "clock-t" + d, "acct-clock", d, 12).put("ticketId", "clock-t").put("status", "UPDATED"));
            h.add(event("payment", "clock-p" + d, "acct-clock", d, 12).put("status", "SUCCEEDED").put("amountMinor", 100)
                    .put("currency", "EUR").put("invoiceId", "clock-inv-" + d));
            h.add(event("feedback", "clock-f" + d, "acct-clock", d, 12).put("survey", "NPS").put("score", 10));
            h.add(event("subscription", "clock-s" + d, "acct-clock", d, 12).put("action", "RENEWED"));
        }
        h.add(event("subscription", "s-onb", "acct-onb", 0, 9).put("action", "STARTED").put("plan", "starter"));
        h.add(event("usage", "u-onb", "acct-onb", 1, 9).put("feature", "dash-of-bob@example.net").put("quantity", 3)
                .put("userId", "bob@example.net"));
        h.add(event("feedback", "f-nps", "acct-nps", 1, 10).put("survey", "NPS").put("score", 2).put("comment", NPS_COMMENT)
                .put("userId", "jane.doe@example.com"));
        h.add(event("feedback", "f-csat", "acct-csat", 2, 10).put("survey", "CSAT").put("score", 1).put("comment", CSAT_COMMENT)
                .put("userId", "John Smith"));
        h.add(event("subscription", "s-cancel", "acct-cancel", 3, 10).put("action", "CANCEL_REQUESTED")
                .put("plan", "pro-for-erin@example.com").put("reason", CANCEL_REASON).put("userId", "erin@example.com"));
        h.add(event("payment", "p-fail", "acct-pay", 4, 10).put("status", "FAILED").put("amountMinor", 4900).put("currency", "EUR")
                .put("invoiceId", "inv-carol@example.com").put("failureCode", "card_declined").put("userId", "carol@example.com"));
        for (int i = 0; i < 3; i++) {
            h.add(event("support_ticket", "t-" + i, "acct-tix", 5 + i, 10).put("ticketId", "T-dave@example.com-" + i)
                    .put("status", "OPENED").put("userId", "dave@example.com"));
        }
        h.sort((a, b) -> a.get("eventTime").asText().compareTo(b.get("eventTime").asText()));
        return h;
    }

    private static ObjectNode event(String type, String id, String account, int day, int hour) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("eventId", id);
        n.put("accountId", account);
        n.put("eventTime", DAY0.plus(Duration.ofDays(day).plusHours(hour)).toString());
        return n;
    }
}
