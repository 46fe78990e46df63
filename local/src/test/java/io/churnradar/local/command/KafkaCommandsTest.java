package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.AvroEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that talk to Kafka, against a real broker: {@code rules publish} (validates first, produces
 * the text, waits for the job's answer) and the topic check of {@code run}. The job's answer is played
 * here by a stand-in that answers the published record as the job would.
 */
class KafkaCommandsTest {
    static {
        TestTmp.ensure();
    }

    private static EmbeddedKafka kafka;
    private static final JobSettings TOPICS = JobSettings.defaults();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        DemoCommand.createTopics(kafka, TOPICS);
        // Every topic `run` checks for, whichever of them the demo creates itself.
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
            java.util.Set<String> existing = admin.listTopics().names().get();
            List<String> missing = RunCommand.topics(TOPICS).stream().filter(t -> !existing.contains(t)).toList();
            if (!missing.isEmpty()) kafka.createTopics(missing, 1);
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> rulesTopic() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPICS.rulesTopic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) c.poll(Duration.ofMillis(100)).forEach(records::add);
            return records;
        }
    }

    @Test
    @Timeout(120)
    void publishValidatesProducesAndPrintsTheJobsAnswer() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "version: v9\nsignals: {inactivity: {days: 0}}\n");
        int before = rulesTopic().size();
        assertThat(run("rules", "publish", bad.toString(), "--bootstrap-servers", kafka.bootstrapServers())).isEqualTo(1);
        assertThat(out()).contains("not valid (version v9), 1 problem:", "  signals.inactivity.days: must be between 1 and 365",
                "Not published.");
        assertThat(rulesTopic()).as("nothing published").hasSize(before);

        String text = "version: v2\nsignals: {paymentFailed: {criticalAfterFailures: 2}}\n";
        Path good = Files.writeString(dir.resolve("good.yaml"), text);
        AtomicReference<Throwable> standInFailed = new AtomicReference<>();
        Thread job = new Thread(() -> answerAsTheJob(standInFailed), "job-stand-in");
        job.start();
        out.reset();
        int code = run("rules", "publish", good.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--wait", "60s");
        job.join(30_000);
        assertThat(standInFailed.get()).isNull();
        assertThat(code).as(out()).isZero();
        assertThat(out()).contains(good + ": valid, version v2", "Published version v2 to churn.rules (partition 0, offset ",
                "Waiting up to 1 min for the job's answer on churn.rules-status", "APPLIED: rules v2 are in force (were default-1).");

        List<ConsumerRecord<byte[], byte[]>> published = rulesTopic();
        ConsumerRecord<byte[], byte[]> last = published.get(published.size() - 1);
        assertThat(new String(last.key(), StandardCharsets.UTF_8)).isEqualTo("rules");
        assertThat(new String(last.value(), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    @Timeout(120)
    void publishConnectsWithTheJobsSettings() throws Exception {
        Path good = Files.writeString(dir.resolve("small.yaml"), "version: v3\n");
        // The job's client properties reach the publisher: a request size limit below the record's refuses it.
        Path config = Files.writeString(dir.resolve("settings.yaml"), "kafka:\n  bootstrapServers: " + kafka.bootstrapServers()
                + "\n  properties:\n    max.request.size: \"5\"\n");
        assertThat(run("rules", "publish", good.toString(), "--config", config.toString())).as(out()).isEqualTo(1);
        assertThat(out()).contains("Cannot publish to churn.rules at " + kafka.bootstrapServers(), "max.request.size");
        out.reset();
    }

    @Test
    @Timeout(120)
    void publishRefusesATopicThatIsNoRulesTopic() throws Exception {
        Path good = Files.writeString(dir.resolve("good-9.yaml"), "version: v9\n");
        // The alerts topic exists, and is not compacted: its consumers would meet a YAML text among the alerts.
        assertThat(run("rules", "publish", good.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "churn.alerts"))
                .isEqualTo(1);
        assertThat(out()).contains("Not the rules topic: churn.alerts has", "a rules topic has one partition and is compacted",
                "Not published.");
        out.reset();
        assertThat(run("rules", "publish", good.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--status-topic", "churn.rules"))
                .isEqualTo(2);
    }

    @Test
    @Timeout(120)
    void publishSaysWhetherTheBrokerOrTheTopicIsMissingBeforeProducing() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "version: v6\n");
        assertThat(run("rules", "publish", good.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "team.rules"))
                .isEqualTo(1);
        assertThat(out()).contains("The Kafka cluster at " + kafka.bootstrapServers() + " has no topic team.rules:", "Not published.");
        out.reset();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThat(run("rules", "publish", good.toString(), "--bootstrap-servers", "localhost:" + closedPort)).isEqualTo(1);
        assertThat(out()).contains("Cannot reach Kafka at localhost:" + closedPort + ": ", "Check that it runs and is reachable from here",
                "Not published.");
        out.reset();
    }

    @Test
    @Timeout(120)
    void publishWithoutAnAnswerInTimeFails() throws Exception {
        Path good = Files.writeString(dir.resolve("good.yaml"), "version: v5\n");
        assertThat(run("rules", "publish", good.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--wait", "1s")).isEqualTo(1);
        assertThat(out()).contains("Published version v5", "No answer on churn.rules-status within 1.0 s");
    }

    @Test
    @Timeout(120)
    void runNamesTheTopicsTheClusterLacksBeforeStartingAnything() throws Exception {
        Path config = Files.writeString(dir.resolve("job.yaml"), """
                kafka: {bootstrapServers: "%s"}
                topics: {rules: team.rules, accountHealth: team.account-health}
                """.formatted(kafka.bootstrapServers()));
        assertThat(run("run", "--config", config.toString(), "--no-web-ui")).isEqualTo(1);
        // On standard error (one stream here), as every command's failures: the launcher's prefix, the command, no stack trace.
        assertThat(out()).contains("churn-radar: run: the Kafka cluster at " + kafka.bootstrapServers() + " has no topic team.rules,"
                + " team.account-health.", "with cleanup.policy=compact").doesNotContain("Starting Flink", "\tat ");
    }

    /** Reads the rules topic from its end and answers the first set that arrives, as the job does. */
    private static void answerAsTheJob(AtomicReference<Throwable> failure) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> rules = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            TopicPartition tp = new TopicPartition(TOPICS.rulesTopic, 0);
            rules.assign(List.of(tp));
            rules.seekToEnd(List.of(tp));
            rules.position(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : rules.poll(Duration.ofMillis(100))) {
                    RulesStatus s = RulesStatus.newBuilder()
                            .setVersion("v2").setStatus(RulesDecision.APPLIED).setErrors(List.of())
                            .setActiveVersion("v2").setPreviousVersion("default-1")
                            .setReceivedAt(Instant.now()).setSourceTopic(r.topic()).setSourcePartition(r.partition())
                            .setSourceOffset(r.offset()).setSourceKey("rules").build();
                    producer.send(new ProducerRecord<>(TOPICS.rulesStatusTopic, "v2".getBytes(StandardCharsets.UTF_8),
                            AvroEvents.encode(s))).get();
                    return;
                }
            }
            throw new AssertionError("no rule set published within 60 s");
        } catch (Throwable t) {
            failure.set(t);
        }
    }
}
