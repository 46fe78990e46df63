package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
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
 * Kafka security passed through to every client of the job: a real broker whose listener for clients
 * is TLS and requires a client certificate (mTLS; the CA, broker and client keys are made here with the JDK's
 * keytool). The job's sources (events and rules), its transactional sinks and the admin client of its
 * output gate connect with the settings of {@code kafka.properties}; the key store passwords are
 * given as {@code ${file:...}} references, resolved by Kafka inside each client, and appear in no log
 * line (Kafka's and Flink's at INFO included), no output and no dead letter.
 */
class KafkaSecurityTest {
    private static final int PARALLELISM = 2;
    private static final String KEYSTORE_SECRET = "ks-Secret-4711-do-not-log";
    private static final String TRUSTSTORE_SECRET = "ts-Secret-0815-do-not-log";

    @RegisterExtension
    @Order(1)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    static Path dir;
    static KafkaClusterTestKit cluster;
    /** What a client needs to reach the broker (its own key store and the CA), with the passwords inline. */
    static Map<String, String> clientTls;
    static Map<String, String> brokerTls;
    /** The broker's SSL listener. */
    static String tlsBootstrap;

    @BeforeAll
    static void startTlsBroker() throws Exception {
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path trust = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=churn-radar-test-ca", "-ext", "bc:c", "-validity", "2",
                "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", "ca-pass");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "ca-pass", "-file", caPem.toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", trust.toString(), "-storetype",
                "PKCS12", "-storepass", TRUSTSTORE_SECRET);
        Path brokerKeys = signedKeyStore("broker", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1", ca, caPem);
        Path clientKeys = signedKeyStore("client", "CN=churn-radar-job", null, ca, caPem);

        brokerTls = tls(brokerKeys, trust, KEYSTORE_SECRET, TRUSTSTORE_SECRET);
        clientTls = tls(clientKeys, trust, KEYSTORE_SECRET, TRUSTSTORE_SECRET);
        clientTls.put("security.protocol", "SSL");

        // The test kit's broker listens in plain text only: a third listener, SSL, is the one the job uses, with
        // mTLS (no client without a certificate of the test CA gets in). The broker talks to itself and its
        // controller on the test kit's listeners.
        Map<String, String> listener = new LinkedHashMap<>(Map.of(
                "listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SSL://localhost:0",
                "listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL",
                "ssl.client.auth", "required"));
        listener.putAll(brokerTls);
        cluster = KafkaBroker.startCluster(null, listener);
        tlsBootstrap = "localhost:" + cluster.brokers().values().iterator().next().boundPort(new ListenerName("SSL"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) cluster.close();
    }

    @Test
    void everyClientOfTheJobConnectsWithTheConfiguredTlsAndNoSecretIsLogged() throws Exception {
        JobSettings s = KafkaJobRun.settings(tlsBootstrap, "tls");
        Path ksPass = Files.writeString(dir.resolve("keystore.password"), KEYSTORE_SECRET + "\n");
        Path tsPass = Files.writeString(dir.resolve("truststore.password"), TRUSTSTORE_SECRET + "\n");
        s.kafkaProperties.putAll(clientTls);
        s.kafkaProperties.put("ssl.keystore.password", "${file:" + ksPass + "}");
        s.kafkaProperties.put("ssl.key.password", "${file:" + ksPass + "}");
        s.kafkaProperties.put("ssl.truststore.password", "${file:" + tsPass + "}");

        // Without a client certificate the broker lets nobody in: the test's broker really demands mTLS.
        Map<String, String> noCert = new LinkedHashMap<>(clientTls);
        noCert.keySet().removeIf(k -> k.startsWith("ssl.keystore") || k.equals("ssl.key.password"));
        try (Admin anonymous = Admin.create(props(noCert, Map.of("default.api.timeout.ms", "5000", "request.timeout.ms", "4000")))) {
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> anonymous.listTopics().names().get(20, TimeUnit.SECONDS));
            assertThat(refused.getCause()).isInstanceOf(org.apache.kafka.common.errors.SslAuthenticationException.class);
        }

        try (Admin admin = Admin.create(props(clientTls, Map.of()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String t : s.eventTopics()) topics.add(new NewTopic(t, 1, (short) 1));
            for (String t : List.of(s.rulesTopic, s.rulesStatusTopic, s.alertsTopic, s.deadLetterTopic, s.accountHealthTopic,
                    s.commandsTopic, s.commandsAuditTopic, s.playbookOutcomesTopic, s.kpisTopic)) {
                topics.add(new NewTopic(t, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props(clientTls, Map.of("acks", "all")),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            PaymentEvent failed = PaymentEvent.newBuilder().setEventId("p-1").setAccountId("acct-tls").setEventTime(at(1, 10))
                    .setStatus(PaymentStatus.FAILED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-1")
                    .setFailureCode("card_declined").setCardExpiry("2027-11").build();
            producer.send(new ProducerRecord<>(s.paymentTopic, bytes("acct-tls"), AvroEvents.encode(failed))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(s.loginTopic, bytes("acct-tls"), bytes("not an event"))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(s.rulesTopic, bytes("rules"), bytes("version: tls-2\n"))).get(30, TimeUnit.SECONDS);
        }

        LogCapture logs = LogCapture.begin();
        try {
            KafkaJobRun.runToEnd(s, PARALLELISM);
        } finally {
            logs.stop();
        }

        List<RiskAlert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(s.alertsTopic)) alerts.add(RiskAlert.getDecoder().decode(r.value()));
        assertThat(alerts).extracting(a -> a.getAccountId() + " " + a.getSignal()).containsExactly("acct-tls PAYMENT_FAILED");
        List<ConsumerRecord<byte[], byte[]>> deadLetters = readAll(s.deadLetterTopic);
        assertThat(deadLetters).hasSize(1);
        DeadLetter letter = DeadLetter.getDecoder().decode(deadLetters.get(0).value());
        assertThat(letter.getSource()).isEqualTo(s.loginTopic);
        List<ConsumerRecord<byte[], byte[]>> statuses = readAll(s.rulesStatusTopic);
        assertThat(statuses).hasSize(1);
        assertThat(RulesStatus.getDecoder().decode(statuses.get(0).value()).getVersion()).isEqualTo("tls-2");
        assertThat(readAll(s.commandsAuditTopic)).isNotEmpty();

        String logged = logs.text();
        // Kafka's clients logged their settings (passwords as [hidden]), and the gate could read the topics' limits over TLS.
        assertThat(logged).contains("security.protocol = SSL").contains("ssl.keystore.password = [hidden]")
                .doesNotContain("Cannot read max.message.bytes");
        for (String secret : List.of(KEYSTORE_SECRET, TRUSTSTORE_SECRET)) {
            assertThat(logged).as("the log").doesNotContain(secret);
            for (String topic : s.outputTopics()) {
                for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
                    assertThat(new String(r.value(), StandardCharsets.ISO_8859_1)).as(topic).doesNotContain(secret);
                }
            }
        }
    }

    /** A key store with a key pair signed by the test CA, and the CA's certificate before it. */
    private static Path signedKeyStore(String name, String dname, String san, Path ca, Path caPem) throws Exception {
        Path keys = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path pem = dir.resolve(name + ".pem");
        List<String> gen = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-dname", dname, "-validity", "2",
                "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", KEYSTORE_SECRET));
        keytool(gen.toArray(String[]::new));
        keytool("-certreq", "-alias", name, "-keystore", keys.toString(), "-storepass", KEYSTORE_SECRET, "-file", csr.toString());
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "ca-pass",
                "-infile", csr.toString(), "-outfile", pem.toString(), "-validity", "2"));
        if (san != null) sign.addAll(List.of("-ext", san));
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", keys.toString(), "-storepass",
                KEYSTORE_SECRET);
        keytool("-importcert", "-alias", name, "-file", pem.toString(), "-keystore", keys.toString(), "-storepass", KEYSTORE_SECRET);
        return keys;
    }

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> tls(Path keys, Path trust, String keyPass, String trustPass) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ssl.keystore.location", keys.toString());
        m.put("ssl.keystore.type", "PKCS12");
        m.put("ssl.keystore.password", keyPass);
        m.put("ssl.key.password", keyPass);
        m.put("ssl.truststore.location", trust.toString());
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.password", trustPass);
        return m;
    }

    private static Properties props(Map<String, String> tls, Map<String, String> more) {
        Properties p = new Properties();
        p.putAll(tls);
        p.putAll(more);
        p.put("bootstrap.servers", tlsBootstrap);
        return p;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) throws Exception {
        return KafkaBroker.readAll(props(clientTls, Map.of()), topic, IsolationLevel.READ_COMMITTED);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
