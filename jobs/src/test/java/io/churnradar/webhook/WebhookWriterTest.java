package io.churnradar.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.JobSettings;
import io.churnradar.play.Action;
import io.churnradar.testing.KafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's writer as the sink creates it, in the base async sink's test context (its mailbox runs
 * in the test thread: {@code flush(true)} returns once every command is settled), posting to a
 * real HTTP server and dead-lettering to a real broker.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // a hang guard, not a timed assertion
class WebhookWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENV_SECRET = "test-secret-from-env"; // set for the tests by the jobs pom
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final SinkWriter.Context CONTEXT = new SinkWriter.Context() {
        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
            return null;
        }
    };

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir
    Path dir;

    private Receiver receiver;
    private String deadLetterTopic;
    private final List<SinkWriter<?>> writers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        receiver = new Receiver();
        deadLetterTopic = "webhook-writer-dead-letters-" + TOPICS.incrementAndGet();
        KAFKA.createTopics(Map.of(deadLetterTopic, 1));
    }

    @AfterEach
    void stop() throws Exception {
        for (SinkWriter<?> w : writers) w.close();
        receiver.close();
    }

    @Test
    void signsWithTheSecretAndSendsTheCommandIdAsIdempotencyKeyInTheEndpointsFormat() throws Exception {
        Path secretFile = dir.resolve("zap-secret");
        Files.writeString(secretFile, "file-secret\n");
        WebhookSettings settings = settings("""
                endpoints:
                  crm:
                    url: %s
                    actions: [default]
                    secretEnv: CHURN_RADAR_TEST_WEBHOOK_SECRET
                  slack:
                    url: %s
                    actions: [NOTIFY_SLACK]
                    format: slack
                  zap:
                    url: %s
                    actions: [UPDATE_CRM, CREATE_CSM_TASK]
                    format: json
                    secretFile: %s
                """.formatted(receiver.url("/crm"), receiver.url("/slack/T0/B0/XYZ"), receiver.url("/zap"), secretFile));
        RetentionCommand offer = Commands.of("cmd-offer-1", "acme-42", Action.OFFER_SAVE);
        RetentionCommand slack = Commands.of("cmd-slack-1", "acme-42", Action.NOTIFY_SLACK, Map.of("channel", "#cs-alerts"));
        RetentionCommand crm = Commands.of("cmd-crm-1", "acme-43", Action.UPDATE_CRM, Map.of("field", "risk", "value", "high"));

        send(writer(settings), offer, slack, crm);

        Receiver.Request toCrm = single(receiver.requests("/crm"));
        assertThat(toCrm.key()).isEqualTo("cmd-offer-1");
        assertThat(toCrm.header("Content-Type")).isEqualTo("application/json");
        assertThat(toCrm.header("User-Agent")).startsWith("churn-radar-webhook/");
        assertThat(toCrm.header("X-Churn-Radar-Attempt")).isEqualTo("1");
        long now = System.currentTimeMillis() / 1000;
        String signature = toCrm.header(Signature.HEADER);
        assertThat(signature).matches("t=\\d+,v1=[0-9a-f]{64}");
        assertThat(Signature.verify(ENV_SECRET.getBytes(StandardCharsets.UTF_8), signature, toCrm.body(), now, Duration.ofMinutes(5)))
                .as("signature verifies with the secret from the environment").isTrue();
        assertThat(Signature.verify("other".getBytes(StandardCharsets.UTF_8), signature, toCrm.body(), now, Duration.ofMinutes(5)))
                .isFalse();
        JsonNode body = JSON.readTree(toCrm.body());
        assertThat(body.get("commandId").asText()).isEqualTo("cmd-offer-1");
        assertThat(body.get("action").asText()).isEqualTo("OFFER_SAVE");
        assertThat(body.get("params").get("offerCode").asText()).isEqualTo("SAVE20");
        assertThat(body.get("reason").get("playbook").asText()).isEqualTo("dunning");
        assertThat(body.get("issuedAt").asText()).isEqualTo("2025-03-14T09:26:53.589Z");

        Receiver.Request toSlack = single(receiver.requests("/slack/T0/B0/XYZ"));
        assertThat(toSlack.key()).isEqualTo("cmd-slack-1");
        assertThat(toSlack.header(Signature.HEADER)).as("unsigned without a secret").isNull();
        JsonNode slackBody = JSON.readTree(toSlack.body());
        assertThat(slackBody.get("text").asText())
                .isEqualTo("Churn risk: account acme-42, signal PAYMENT_FAILED (HIGH), playbook dunning step 2.");
        assertThat(slackBody.has("commandId")).as("a Slack message, not the generic body").isFalse();

        Receiver.Request toZap = single(receiver.requests("/zap"));
        assertThat(toZap.key()).isEqualTo("cmd-crm-1");
        assertThat(Signature.verify("file-secret".getBytes(StandardCharsets.UTF_8), toZap.header(Signature.HEADER), toZap.body(),
                now, Duration.ofMinutes(5))).as("signature verifies with the secret from the file, newline stripped").isTrue();
        assertThat(JSON.readTree(toZap.body()).get("params").get("field").asText()).isEqualTo("risk");

        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void serverErrorsAndThrottlingAreRetriedWithTheSameKeyUntilDelivered() throws Exception {
        receiver.script("/crm", (key, nth) -> switch (nth) {
            case 1 -> Receiver.Reply.status(503);
            case 2 -> Receiver.Reply.status(429).withHeader("Retry-After", "0");
            case 3 -> Receiver.Reply.status(500);
            default -> Receiver.Reply.status(202);
        });
        WebhookSettings settings = settings(crm("maxAttempts: 4"));

        send(writer(settings), Commands.of("cmd-retry-1", "acme-1", Action.OFFER_SAVE));

        List<Receiver.Request> got = receiver.requests("/crm");
        assertThat(got).extracting(Receiver.Request::answeredWith).containsExactly(503, 429, 500, 202);
        assertThat(got).extracting(Receiver.Request::key).containsOnly("cmd-retry-1");
        assertThat(got).extracting(r -> r.header("X-Churn-Radar-Attempt")).containsExactly("1", "2", "3", "4");
        assertThat(got).extracting(Receiver.Request::bodyText).as("the same body every time").containsOnly(got.get(0).bodyText());
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aSlowServerIsTimedOutAndTriedAgain() throws Exception {
        receiver.script("/crm", (key, nth) -> nth == 1 ? Receiver.Reply.hang() : Receiver.Reply.ok());
        WebhookSettings settings = settings(crm("timeout: 1s"));

        send(writer(settings), Commands.of("cmd-slow-1", "acme-1", Action.OFFER_SAVE));

        assertThat(receiver.requests("/crm")).extracting(Receiver.Request::key).containsExactly("cmd-slow-1", "cmd-slow-1");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aClientErrorIsDeadLetteredAtOnceWithItsStatus() throws Exception {
        receiver.script("/slack/T0/B0/XYZ", (key, nth) -> Receiver.Reply.status(404).withBody("channel_not_found"));
        WebhookSettings settings = settings("""
                endpoints:
                  slack-cs:
                    url: %s
                    actions: [NOTIFY_SLACK]
                    format: slack
                """.formatted(receiver.url("/slack/T0/B0/XYZ")));
        RetentionCommand command = Commands.of("cmd-404", "acme-9", Action.NOTIFY_SLACK);

        send(writer(settings), command);

        assertThat(receiver.requests()).hasSize(1);
        DeadLetter letter = single(deadLetters());
        assertThat(letter.getReason()).isEqualTo("webhook NOTIFY_SLACK to endpoint 'slack-cs' failed after 1 attempt, "
                + "last HTTP status 404: HTTP 404 is final, not retried; response: channel_not_found");
        assertThat(letter.getReason()).doesNotContain("XYZ", "127.0.0.1");
        assertThat(letter.getSource()).isEqualTo("webhook:slack-cs");
        assertThat(RetentionCommand.getDecoder().decode(bytes(letter.getPayload()))).isEqualTo(command);
        assertThat(new String(bytes(letter.getKey()), StandardCharsets.UTF_8)).isEqualTo("acme-9");
        assertThat(single(KAFKA.readAll(deadLetterTopic, IsolationLevel.READ_COMMITTED)).key())
                .isEqualTo("acme-9".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void serverErrorsForeverAreDeadLetteredAfterMaxAttemptsWithTheLastStatus() throws Exception {
        receiver.script("/crm", (key, nth) -> Receiver.Reply.status(nth < 3 ? 503 : 502));
        WebhookSettings settings = settings(crm("maxAttempts: 3"));
        RetentionCommand command = Commands.of("cmd-down", "acme-5", Action.START_WIN_BACK);

        send(writer(settings), command);

        assertThat(receiver.requests("/crm")).extracting(Receiver.Request::key).containsExactly("cmd-down", "cmd-down", "cmd-down");
        DeadLetter letter = single(deadLetters());
        assertThat(letter.getReason()).isEqualTo(
                "webhook START_WIN_BACK to endpoint 'crm' failed after 3 attempts, last HTTP status 502: HTTP 502");
        assertThat(RetentionCommand.getDecoder().decode(bytes(letter.getPayload()))).isEqualTo(command);
    }

    @Test
    void anUnreachableEndpointIsDeadLetteredWithoutAStatus() throws Exception {
        WebhookSettings settings = settings("""
                endpoints:
                  crm:
                    url: http://127.0.0.1:%d/hooks/secret-token
                    actions: [default]
                    maxAttempts: 2
                """.formatted(Receiver.closedPort()));

        send(writer(settings), Commands.of("cmd-refused", "acme-6", Action.OFFER_SAVE));

        String reason = single(deadLetters()).getReason();
        assertThat(reason).startsWith("webhook OFFER_SAVE to endpoint 'crm' failed after 2 attempts, last HTTP status none: ")
                .contains("ConnectException");
        assertThat(reason).doesNotContain("secret-token");
    }

    @Test
    void bufferedCommandsAreKeptInTheWritersStateAndSentByTheRestoredWriter() throws Exception {
        WebhookSettings settings = settings(crm(""));
        WebhookSink sink = new WebhookSink(settings, new KafkaDeadLetters(KAFKA.bootstrapServers(), deadLetterTopic, Map.of()));
        StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> first = writer(sink);
        for (int i = 0; i < 3; i++) first.write(Commands.of("cmd-buffered-" + i, "acme-" + i, Action.OFFER_SAVE), CONTEXT);

        // Fewer commands than a batch, and the test's clock never fires the buffer timer: all still buffered.
        SimpleVersionedSerializer<BufferedRequestState<WebhookEntry>> serializer = sink.getWriterStateSerializer();
        List<byte[]> checkpoint = new ArrayList<>();
        for (BufferedRequestState<WebhookEntry> s : first.snapshotState(1)) checkpoint.add(serializer.serialize(s));
        first.close();
        writers.remove(first);
        assertThat(receiver.requests()).as("nothing sent before the restore").isEmpty();

        Collection<BufferedRequestState<WebhookEntry>> restored = new ArrayList<>();
        for (byte[] b : checkpoint) restored.add(serializer.deserialize(serializer.getVersion(), b));
        StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> second =
                sink.restoreWriter(new TestWriterContext(), restored);
        writers.add(second);
        second.flush(true);

        assertThat(receiver.requests("/crm")).extracting(Receiver.Request::key)
                .containsExactlyInAnyOrder("cmd-buffered-0", "cmd-buffered-1", "cmd-buffered-2");
        assertThat(second.snapshotState(2).get(0).getBufferedRequestEntries()).isEmpty();
    }

    @Test
    void aMissingSecretStopsTheWriterNamingTheVariableNotAValue() {
        WebhookSettings settings = settings("""
                endpoints:
                  crm:
                    url: %s
                    actions: [default]
                    secretEnv: CHURN_RADAR_TEST_UNSET_SECRET
                """.formatted(receiver.url("/crm")));
        WebhookSink sink = new WebhookSink(settings, new KafkaDeadLetters(KAFKA.bootstrapServers(), deadLetterTopic, Map.of()));

        // Unrecoverable: Flink fails the job instead of restarting it for ever with every output stopped.
        assertThatThrownBy(() -> sink.createWriter(new TestWriterContext()))
                .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
                .cause().hasMessage("webhook endpoint 'crm' secret: environment variable CHURN_RADAR_TEST_UNSET_SECRET is not set");
    }

    private String crm(String extra) {
        return """
                endpoints:
                  crm:
                    url: %s
                    actions: [default]
                    %s
                """.formatted(receiver.url("/crm"), extra);
    }

    /** The webhooks section given, with quick retries for the test. */
    private static WebhookSettings settings(String endpointsYaml) {
        String yaml = "webhooks:\n  timeout: 2s\n  maxAttempts: 3\n  initialBackoff: 10ms\n  maxBackoff: 50ms\n"
                + endpointsYaml.indent(2);
        return JobSettings.parse(yaml, "webhook-test.yaml").webhooks;
    }

    private StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> writer(WebhookSettings settings)
            throws Exception {
        return writer(new WebhookSink(settings, new KafkaDeadLetters(KAFKA.bootstrapServers(), deadLetterTopic, Map.of())));
    }

    private StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> writer(WebhookSink sink) throws Exception {
        StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> w = sink.createWriter(new TestWriterContext());
        writers.add(w);
        return w;
    }

    private static void send(SinkWriter<RetentionCommand> writer, RetentionCommand... commands) throws Exception {
        for (RetentionCommand c : commands) writer.write(c, CONTEXT);
        writer.flush(true); // returns once every command is delivered or dead-lettered
    }

    private List<DeadLetter> deadLetters() throws Exception {
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(deadLetterTopic, IsolationLevel.READ_COMMITTED)) {
            out.add(DeadLetter.getDecoder().decode(r.value()));
        }
        return out;
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
