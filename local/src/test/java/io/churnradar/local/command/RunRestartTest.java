package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.EmbeddedKafka;
import io.churnradar.testing.Deadline;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./churn-radar run} stopped by SIGTERM and started again, for real: in child JVMs against a real broker. The
 * second run resumes from the savepoint the first stopped with, so an account's open episode goes on (no second RAISED
 * under a new id) and an event sent again is a duplicate; a run killed outright leaves its latest checkpoint, from
 * which the third resumes.
 */
class RunRestartTest {
    static {
        TestTmp.ensure();
    }

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final JobSettings TOPICS = JobSettings.defaults();
    private static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        DemoCommand.createTopics(kafka, TOPICS);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    @Test
    @Timeout(600)
    void aRestartResumesFromTheSavepointTheStopTook() throws Exception {
        Path config = Files.writeString(dir.resolve("job.yaml"), """
                kafka: {bootstrapServers: "%s"}
                eventTime: {idleness: 1s}
                """.formatted(kafka.bootstrapServers()));
        Path state = dir.resolve("state");
        try (KafkaProducer<String, byte[]> producer = producer(); KafkaConsumer<byte[], byte[]> alerts = alertsReader()) {
            Run first = Run.start(dir.resolve("first"), config, state);
            first.awaitOutput("none yet: reading from the consumer group's committed offsets", "job running");
            payment(producer, "pay-1", "acct-a", 1, PaymentStatus.FAILED);
            tick(producer, 1);
            List<String> seen = new ArrayList<>();
            awaitAlerts(alerts, seen, 1, first);
            assertThat(seen).containsExactly("acct-a PAYMENT_FAILED RAISED");

            first.process.destroy(); // SIGTERM
            assertThat(first.awaitExit()).as(first.output()).isEqualTo(143);
            assertThat(first.output()).contains("Stopping with a savepoint ...", "State saved to ", "the next run resumes from it");

            Run second = Run.start(dir.resolve("second"), config, state);
            second.awaitOutput("resuming from the savepoint " + state.toAbsolutePath(), "job running");
            payment(producer, "pay-1", "acct-a", 1, PaymentStatus.FAILED); // sent again: a duplicate
            payment(producer, "pay-2", "acct-a", 2, PaymentStatus.FAILED); // the second failure in a row: the episode goes on
            payment(producer, "pay-3", "acct-a", 3, PaymentStatus.FAILED); // the third: CRITICAL
            tick(producer, 3);
            awaitAlerts(alerts, seen, 2, second);
            // The episode goes on to CRITICAL at the third failure. Without the state, the duplicate or the second
            // failure raised a new episode under a new alert id instead.
            assertThat(seen).containsExactly("acct-a PAYMENT_FAILED RAISED", "acct-a PAYMENT_FAILED UPDATED");

            // Killed outright: no savepoint, but the checkpoint that committed the UPDATED alert stays in the folder.
            second.process.destroyForcibly();
            second.awaitExit();
            Run third = Run.start(dir.resolve("third"), config, state);
            third.awaitOutput("resuming from the checkpoint " + state.toAbsolutePath(), "job running");
            payment(producer, "pay-4", "acct-a", 4, PaymentStatus.SUCCEEDED); // resolves the episode the checkpoint holds
            tick(producer, 4);
            awaitAlerts(alerts, seen, 3, third);
            assertThat(seen).containsExactly("acct-a PAYMENT_FAILED RAISED", "acct-a PAYMENT_FAILED UPDATED",
                    "acct-a PAYMENT_FAILED RESOLVED");
            third.process.destroy();
            assertThat(third.awaitExit()).as(third.output()).isEqualTo(143);
            assertThat(third.output()).contains("State saved to ");
        }
    }

    /** A child JVM running the launcher's run command, its output in a file. */
    private record Run(Process process, Path outputFile) {
        static Run start(Path dir, Path config, Path state) throws Exception {
            Files.createDirectories(dir.resolve("tmp"));
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx768m");
            cmd.addAll(FatalEndTest.JAVA_OPENS);
            cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
            cmd.add("-Dchurnradar.home=" + ChurnRadarHome.root());
            cmd.add("-cp");
            cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).replace(" ", File.pathSeparator));
            cmd.add(FatalChild.class.getName());
            cmd.addAll(List.of("plain", "run", "--config", config.toString(), "--state-dir", state.toString(), "--no-web-ui"));
            Path output = dir.resolve("output.txt");
            return new Run(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start(), output);
        }

        String output() throws Exception {
            return Files.readString(outputFile, StandardCharsets.UTF_8);
        }

        void awaitOutput(String... lines) throws Exception {
            Deadline.in(Duration.ofMinutes(3)).pollUntil("the run to print " + List.of(lines), () -> {
                if (!process.isAlive()) throw new AssertionError("the run ended: " + output());
                String out = output();
                for (String l : lines) if (!out.contains(l)) return false;
                return true;
            });
        }

        int awaitExit() throws Exception {
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the run did not end: " + output());
            }
            return process.exitValue();
        }
    }

    private static void payment(KafkaProducer<String, byte[]> producer, String id, String account, int hour, PaymentStatus status)
            throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.paymentTopic, account, AvroEvents.encode(PaymentEvent.newBuilder()
                .setEventId(id).setAccountId(account).setEventTime(T0.plus(Duration.ofHours(hour))).setStatus(status)
                .setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-" + id).setFailureCode(status == PaymentStatus.FAILED
                        ? "card_declined" : null).build()))).get();
    }

    /** A paid invoice of another account a minute later: event time moves past the failure, which then applies. */
    private static void tick(KafkaProducer<String, byte[]> producer, int hour) throws Exception {
        payment(producer, "tick-" + hour, "acct-tick", hour, PaymentStatus.SUCCEEDED);
        producer.send(new ProducerRecord<>(TOPICS.paymentTopic, "acct-tick", AvroEvents.encode(PaymentEvent.newBuilder()
                .setEventId("tick-" + hour + "b").setAccountId("acct-tick").setEventTime(T0.plus(Duration.ofHours(hour)).plusSeconds(60))
                .setStatus(PaymentStatus.SUCCEEDED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-tick-" + hour)
                .build()))).get();
    }

    private static void awaitAlerts(KafkaConsumer<byte[], byte[]> reader, List<String> seen, int count, Run run) throws Exception {
        BinaryMessageDecoder<RiskAlert> decoder = RiskAlert.getDecoder();
        try {
            Deadline.in(Duration.ofMinutes(2)).pollUntil(count + " alerts of acct-a", () -> {
                if (!run.process.isAlive()) throw new AssertionError("the run ended: " + run.output());
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    RiskAlert a = decoder.decode(r.value());
                    if (a.getAccountId().equals("acct-a")) seen.add(a.getAccountId() + " " + a.getSignal() + " " + a.getStatus());
                }
                return seen.size() >= count;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; seen " + seen + "; the run printed:\n" + run.output(), e);
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> alertsReader() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "run-restart-test");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(TOPICS.alertsTopic));
        return consumer;
    }
}
