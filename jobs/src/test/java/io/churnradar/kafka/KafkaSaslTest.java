package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL_SSL passed through to every client of the job, the way most managed Kafka services take it: a
 * real broker with a SASL_SSL listener (SCRAM-SHA-512 over TLS; the user is created through the admin
 * API, the broker's certificate is made here with the JDK's keytool). The job is configured through a
 * settings file alone ({@code kafka.properties}: security.protocol, sasl.mechanism, a
 * {@code sasl.jaas.config} whose password is a {@code ${file:...}} reference, the trust store's password
 * another) and runs end to end: events in, alerts out, a rule set applied with its status, a dead letter.
 * A wrong password is refused with the broker's own words; neither password appears in any log line
 * (Kafka's and Flink's at INFO included), output record or dead letter.
 */
class KafkaSaslTest {
    private static final int PARALLELISM = 2;
    private static final String USER = "churn-radar";
    private static final String SASL_SECRET = "sasl-Secret-2718-do-not-log";
    private static final String WRONG_SECRET = "sasl-Wrong-3141-do-not-log";
    private static final String TRUSTSTORE_SECRET = "ts-Secret-1618-do-not-log";
    private static final String BROKER_STORE_SECRET = "broker-ks-Secret-do-not-log";

    @RegisterExtension
    @Order(1)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    static Path dir;
    static KafkaClusterTestKit cluster;
    static Path truststore;
    /** The broker's SASL_SSL listener. */
    static String saslBootstrap;

    @BeforeAll
    static void startSaslBroker() throws Exception {
        // The broker's key pair, self-signed for localhost, and a trust store holding its certificate.
        Path brokerKeys = dir.resolve("broker.p12");
        Path brokerPem = dir.resolve("broker.pem");
        truststore = dir.resolve("truststore.p12");
        KafkaSecurityTest.keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", brokerKeys.toString(), "-storetype", "PKCS12",
                "-storepass", BROKER_STORE_SECRET);
        KafkaSecurityTest.keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", brokerKeys.toString(), "-storepass",
                BROKER_STORE_SECRET, "-file", brokerPem.toString());
        KafkaSecurityTest.keytool("-importcert", "-noprompt", "-alias", "broker", "-file", brokerPem.toString(), "-keystore",
                truststore.toString(), "-storetype", "PKCS12", "-storepass", TRUSTSTORE_SECRET);

        // A third listener, SASL_SSL with SCRAM-SHA-512, is the one the job uses; the broker talks to itself and
        // its controller on the test kit's plain-text listeners, where the test also creates the SCRAM user (as an
        // operator would with kafka-configs).
        Map<String, String> listener = new LinkedHashMap<>();
        listener.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SASL_SSL://localhost:0");
        listener.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
        listener.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        listener.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        listener.put("ssl.keystore.location", brokerKeys.toString());
        listener.put("ssl.keystore.type", "PKCS12");
        listener.put("ssl.keystore.password", BROKER_STORE_SECRET);
        listener.put("ssl.key.password", BROKER_STORE_SECRET);
        cluster = KafkaBroker.startCluster(null, listener);
        saslBootstrap = "localhost:" + cluster.brokers().values().iterator().next().boundPort(new ListenerName("SASL_SSL"));

        Properties plain = new Properties();
        plain.put("bootstrap.servers", cluster.bootstrapServers());
        try (Admin admin = Admin.create(plain)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), SASL_SECRET))).all().get(60, TimeUnit.SECONDS);
        }
        // The credential reaches the broker through the metadata log: wait until the user gets in.
        Deadline.in(Duration.ofSeconds(60)).pollUntil("the SCRAM user accepted", () -> {
            try (Admin admin = Admin.create(props(SASL_SECRET, Map.of("default.api.timeout.ms", "5000", "request.timeout.ms", "4000")))) {
                admin.listTopics().names().get(10, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof SaslAuthenticationException) return false;
                throw e;
            }
        });
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void theJobRunsOverSaslSslFromItsSettingsAloneAndNoSecretIsLogged() throws Exception {
        Path password = Files.writeString(dir.resolve("sasl.password"), SASL_SECRET + "\n");
        Path wrongPassword = Files.writeString(dir.resolve("wrong.password"), WRONG_SECRET + "\n");
        Path trustPassword = Files.writeString(dir.resolve("truststore.password"), TRUSTSTORE_SECRET + "\n");
        JobSettings s = settings("sasl", password, trustPassword);
        assertThat(s.toString()).doesNotContain(SASL_SECRET).doesNotContain(TRUSTSTORE_SECRET);

        // The broker lets nobody in with a wrong password, and says so.
        try (Admin wrong = Admin.create(props(WRONG_SECRET, Map.of("default.api.timeout.ms", "5000", "request.timeout.ms", "4000")))) {
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> wrong.listTopics().names().get(20, TimeUnit.SECONDS));
            assertThat(refused.getCause()).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("invalid credentials").hasMessageContaining("SCRAM-SHA-512");
        }

        try (Admin admin = Admin.create(props(SASL_SECRET, Map.of()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String t : s.eventTopics()) topics.add(new NewTopic(t, 1, (short) 1));
            topics.add(new NewTopic(s.rulesTopic, 1, (short) 1));
            for (String t : s.outputTopics()) topics.add(new NewTopic(t, 1, (short) 1));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props(SASL_SECRET, Map.of("acks", "all")),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            PaymentEvent failed = PaymentEvent.newBuilder().setEventId("p-1").setAccountId("acct-sasl").setEventTime(at(1, 10))
                    .setStatus(PaymentStatus.FAILED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-1")
                    .setFailureCode("card_declined").setCardExpiry("2027-11").build();
            producer.send(new ProducerRecord<>(s.paymentTopic, bytes("acct-sasl"), AvroEvents.encode(failed))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(s.loginTopic, bytes("acct-sasl"), bytes("not an event"))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(s.rulesTopic, bytes("rules"), bytes("version: sasl-2\n"))).get(30, TimeUnit.SECONDS);
        }

        // The same settings with a wrong password in the file: the job fails (no restarts here) with
        // the broker's refusal as its cause, not a hang or a secret in the message.
        LogCapture refusedLogs = LogCapture.begin();
        Throwable refusedJob;
        try {
            JobSettings wrong = settings("sasl", wrongPassword, trustPassword);
            Configuration noRestarts = new Configuration();
            noRestarts.setString("restart-strategy.type", "none");
            StreamExecutionEnvironment env = KafkaJobRun.environment(wrong, PARALLELISM, noRestarts);
            refusedJob = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> env.executeAsync(StreamingJob.JOB_NAME).getJobExecutionResult().get(3, TimeUnit.MINUTES));
        } finally {
            refusedLogs.stop();
        }

        LogCapture logs = LogCapture.begin();
        try {
            KafkaJobRun.runToEnd(s, PARALLELISM);
        } finally {
            logs.stop();
        }
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = refusedJob; t != null && !chain.contains(t); t = t.getCause()) chain.add(t);
        assertThat(chain).as("the causes of the refused job's failure").anySatisfy(t ->
                assertThat(t).isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("invalid credentials"));

        List<RiskAlert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(s.alertsTopic)) alerts.add(RiskAlert.getDecoder().decode(r.value()));
        assertThat(alerts).extracting(a -> a.getAccountId() + " " + a.getSignal()).containsExactly("acct-sasl PAYMENT_FAILED");
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(s.deadLetterTopic);
        assertThat(deadLetters).hasSize(1);
        assertThat(DeadLetter.getDecoder().decode(deadLetters.get(0).value()).getSource()).isEqualTo(s.loginTopic);
        List<ConsumerRecord<byte[], byte[]>> statuses = readAll(s.rulesStatusTopic);
        assertThat(statuses).hasSize(1);
        assertThat(RulesStatus.getDecoder().decode(statuses.get(0).value()).getVersion()).isEqualTo("sasl-2");
        assertThat(readAll(s.commandsTopic)).isNotEmpty();

        String logged = logs.text();
        // Kafka's clients logged their settings (the JAAS config as [hidden]); every client of the job, the
        // output gate's admin client included, got in. (A bounded run makes no offset look-ups beside the
        // source: ClientSecretsTest checks that their admin client resolves the secrets too.)
        assertThat(logged).contains("security.protocol = SASL_SSL").contains("sasl.mechanism = SCRAM-SHA-512")
                .contains("sasl.jaas.config = [hidden]")
                .doesNotContain("Cannot read max.message.bytes");
        List<String> secrets = List.of(SASL_SECRET, WRONG_SECRET, TRUSTSTORE_SECRET);
        for (String secret : secrets) {
            assertThat(logged).as("the log").doesNotContain(secret);
            assertThat(refusedLogs.text()).as("the log of the refused job").doesNotContain(secret);
            for (Throwable t : chain) assertThat(String.valueOf(t)).as("the failure").doesNotContain(secret);
        }
        for (String topic : s.outputTopics()) {
            for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                String value = new String(r.value(), StandardCharsets.ISO_8859_1);
                for (String secret : secrets) assertThat(value).as(topic).doesNotContain(secret);
            }
        }
    }

    /**
     * The job's settings file as an operator writes it for SASL_SSL: the password of the JAAS config and
     * the trust store's password are references to files, resolved by Kafka inside each client.
     */
    private static JobSettings settings(String prefix, Path password, Path trustPassword) {
        String yaml = """
                kafka:
                  bootstrapServers: %1$s
                  groupId: %2$s-job
                  startingOffsets: EARLIEST
                  bounded: true
                  transactionalIdPrefix: %2$s
                  transactionTimeout: 2m
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="%3$s" password="${file:%4$s}";
                    ssl.truststore.location: %5$s
                    ssl.truststore.type: PKCS12
                    ssl.truststore.password: ${file:%6$s}
                topics:
                  login: %2$s.events.login
                  usage: %2$s.events.usage
                  supportTicket: %2$s.events.support-ticket
                  payment: %2$s.events.payment
                  feedback: %2$s.events.feedback
                  subscription: %2$s.events.subscription
                  alerts: %2$s.churn.alerts
                  deadLetter: %2$s.churn.dead-letter
                  rules: %2$s.churn.rules
                  rulesStatus: %2$s.churn.rules-status
                  accountHealth: %2$s.churn.account-health
                  commands: %2$s.churn.commands
                  commandsAudit: %2$s.churn.commands-audit
                  playbookOutcomes: %2$s.churn.playbook-outcomes
                  kpis: %2$s.churn.kpis
                """.formatted(saslBootstrap, prefix, USER, password, truststore, trustPassword);
        return JobSettings.parse(yaml, "churn-radar.yaml");
    }

    /** The test's own clients: the same listener, the password inline. */
    private static Properties props(String password, Map<String, String> more) {
        Properties p = new Properties();
        p.put("bootstrap.servers", saslBootstrap);
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.password", TRUSTSTORE_SECRET);
        p.putAll(more);
        return p;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) throws Exception {
        return KafkaBroker.readAll(props(SASL_SECRET, Map.of()), topic, IsolationLevel.READ_COMMITTED);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
