package io.churnradar.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.JobSettings;
import io.churnradar.play.Action;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.InjectedFailure;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sink in a job on a MiniCluster (RocksDB, no Kryo, checkpoints every 200 ms), wired by
 * {@link WebhookSink#attach(org.apache.flink.streaming.api.datastream.DataStream, JobSettings)} as
 * the streaming job wires it: commands to a real HTTP server, dead letters to a real broker.
 */
class WebhookJobTest {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] ENV_SECRET = "test-secret-from-env".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    private Receiver receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new Receiver();
    }

    @AfterEach
    void stop() {
        InjectedFailure.disable();
        receiver.close();
    }

    @Test
    void deliversToEachActionsEndpointRetriesAndDeadLettersWhatNeverSucceeds() throws Exception {
        receiver.script("/ops", (key, nth) -> switch (key) {
            case "c-flaky" -> Receiver.Reply.status(nth == 1 ? 503 : 200);
            case "c-slow" -> nth == 1 ? Receiver.Reply.hang() : Receiver.Reply.ok();
            case "c-rejected" -> Receiver.Reply.status(422).withBody("{\"error\":\"unknown journey\"}");
            case "c-down" -> Receiver.Reply.status(503);
            default -> Receiver.Reply.status(204);
        });
        JobSettings s = settings("wj1", """
                webhooks:
                  timeout: 2s
                  maxAttempts: 3
                  initialBackoff: 10ms
                  maxBackoff: 50ms
                  endpoints:
                    slack-cs:
                      url: %s
                      actions: [NOTIFY_SLACK]
                      format: slack
                    ops:
                      url: %s
                      actions: [default]
                      secretEnv: CHURN_RADAR_TEST_WEBHOOK_SECRET
                """.formatted(receiver.url("/slack/T0/B0/XYZ"), receiver.url("/ops")));
        List<RetentionCommand> commands = new ArrayList<>(List.of(
                Commands.of("c-slack", "acme-1", Action.NOTIFY_SLACK),
                Commands.of("c-flaky", "acme-2", Action.ENROLL_JOURNEY),
                Commands.of("c-slow", "acme-3", Action.SEND_SURVEY),
                Commands.of("c-rejected", "acme-4", Action.UPDATE_CRM),
                Commands.of("c-down", "acme-5", Action.START_WIN_BACK)));
        for (int i = 0; i < 20; i++) commands.add(Commands.of("c-bulk-" + i, "acme-bulk-" + i, Action.OFFER_SAVE));

        run(s, commands, new Configuration());

        assertKeysAreCommandIdsAndSignaturesVerify();
        assertThat(receiver.requests("/slack/T0/B0/XYZ")).extracting(Receiver.Request::key).containsExactly("c-slack");
        assertThat(JSON.readTree(receiver.requests("/slack/T0/B0/XYZ").get(0).body()).get("text").asText())
                .startsWith("Churn risk: account acme-1");
        assertThat(statuses("c-flaky")).containsExactly(503, 200);
        assertThat(statuses("c-slow")).containsExactly(0, 200);
        assertThat(statuses("c-rejected")).as("a 4xx is not retried").containsExactly(422);
        assertThat(statuses("c-down")).as("tried maxAttempts times").containsExactly(503, 503, 503);
        for (RetentionCommand c : commands) {
            if (!c.getCommandId().equals("c-rejected") && !c.getCommandId().equals("c-down")) {
                assertThat(statuses(c.getCommandId())).as("%s delivered", c.getCommandId()).anyMatch(st -> st / 100 == 2);
            }
        }

        Map<String, DeadLetter> letters = deadLetters(s).stream()
                .collect(Collectors.toMap(d -> decode(d).getCommandId(), d -> d));
        assertThat(letters).containsOnlyKeys("c-rejected", "c-down");
        assertThat(letters.get("c-rejected").getReason()).isEqualTo("webhook UPDATE_CRM to endpoint 'ops' failed after 1 attempt, "
                + "last HTTP status 422: HTTP 422 is final, not retried; response: {\"error\":\"unknown journey\"}");
        assertThat(letters.get("c-down").getReason())
                .isEqualTo("webhook START_WIN_BACK to endpoint 'ops' failed after 3 attempts, last HTTP status 503: HTTP 503");
        assertThat(decode(letters.get("c-down"))).isEqualTo(commands.get(4));
    }

    /**
     * The job fails while five requests are in flight (their receiver has not answered): writing
     * the dead letter of a rejected command fails once, as a broker outage would. After the
     * restart from the last checkpoint every command is delivered, the five re-sent as new first
     * attempts with the same Idempotency-Key, and the rejected one is dead-lettered: nothing lost.
     */
    @Test
    void aRestartWithRequestsInFlightDeliversEveryCommandAtLeastOnceWithTheSameKey() throws Exception {
        int inFlight = 5;
        CountDownLatch hanging = new CountDownLatch(inFlight);
        receiver.script("/ops", (key, nth) -> {
            if (key.startsWith("c-inflight-") && nth == 1) {
                hanging.countDown();
                return Receiver.Reply.hang();
            }
            if (key.equals("c-poison")) {
                // The first refusal only once all five hang: the failure comes while they are in flight.
                return nth == 1 ? Receiver.Reply.status(400).after(hanging) : Receiver.Reply.status(400);
            }
            return Receiver.Reply.ok();
        });
        JobSettings s = settings("wj2", """
                webhooks:
                  timeout: 60s
                  maxAttempts: 3
                  initialBackoff: 10ms
                  maxBackoff: 50ms
                  endpoints:
                    ops:
                      url: %s
                      actions: [default]
                      secretEnv: CHURN_RADAR_TEST_WEBHOOK_SECRET
                """.formatted(receiver.url("/ops")));
        s.kafkaProperties.putAll(InjectedFailure.clientProperties());
        InjectedFailure.reset(Long.MAX_VALUE, s.deadLetterTopic);
        InjectedFailure.arm(); // the first dead letter's write throws and fails the sink's task

        List<RetentionCommand> commands = new ArrayList<>();
        for (int i = 0; i < inFlight; i++) commands.add(Commands.of("c-inflight-" + i, "acme-" + i, Action.OFFER_SAVE));
        for (int i = 0; i < 10; i++) commands.add(Commands.of("c-plain-" + i, "acme-plain-" + i, Action.CREATE_CSM_TASK));
        commands.add(Commands.of("c-poison", "acme-poison", Action.UPDATE_CRM));
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "200 ms");

        run(s, commands, conf);

        assertThat(InjectedFailure.thrown()).as("the injected failure happened: %s", InjectedFailure.diagnostics()).isTrue();
        assertKeysAreCommandIdsAndSignaturesVerify();
        for (int i = 0; i < inFlight; i++) {
            List<Receiver.Request> got = requests("c-inflight-" + i);
            assertThat(got.get(0).answeredWith()).as("in flight at the failure").isZero();
            assertThat(got).as("c-inflight-%d: never retried, only re-sent after the restart", i)
                    .allMatch(r -> "1".equals(r.header("X-Churn-Radar-Attempt")));
            assertThat(got).as("c-inflight-%d re-sent after the restart as a first attempt, delivered", i)
                    .anyMatch(r -> r.nth() >= 2 && "1".equals(r.header("X-Churn-Radar-Attempt")) && r.answeredWith() == 200);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(statuses("c-plain-" + i)).as("c-plain-%d delivered", i).contains(200);
        }
        List<DeadLetter> letters = deadLetters(s);
        assertThat(letters).as("dead letters").isNotEmpty()
                .allSatisfy(d -> assertThat(decode(d).getCommandId()).isEqualTo("c-poison"))
                .allSatisfy(d -> assertThat(d.getReason()).contains("failed after 1 attempt, last HTTP status 400"));
    }

    private JobSettings settings(String prefix, String webhooksYaml) throws Exception {
        JobSettings s = JobSettings.parse(webhooksYaml, prefix + ".yaml");
        s.bootstrapServers = KAFKA.bootstrapServers();
        s.deadLetterTopic = prefix + ".churn.dead-letter";
        KAFKA.createTopics(Map.of(s.deadLetterTopic, 1));
        return s;
    }

    private static void run(JobSettings s, List<RetentionCommand> commands, Configuration extra) throws Exception {
        Configuration conf = FlinkTestCluster.config();
        conf.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (!env.getConfig().getSerializerConfig().hasGenericTypesDisabled()) {
            throw new IllegalStateException("the test environment must forbid Kryo");
        }
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(200);
        WebhookSink.attach(env.fromData(commands).name("Commands"), s);
        JobClient job = env.executeAsync("webhook-sink-test");
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
    }

    /** Every request carries its command's id as Idempotency-Key, and the JSON ones verify with the secret. */
    private void assertKeysAreCommandIdsAndSignaturesVerify() throws Exception {
        for (Receiver.Request r : receiver.requests()) {
            if (r.path().equals("/ops")) {
                assertThat(JSON.readTree(r.body()).get("commandId").asText()).isEqualTo(r.key());
                assertThat(Signature.verify(ENV_SECRET, r.header(Signature.HEADER), r.body(),
                        System.currentTimeMillis() / 1000, Duration.ofMinutes(5))).as("signature of %s", r.key()).isTrue();
            } else {
                assertThat(r.bodyText()).contains("command " + r.key());
            }
        }
    }

    private List<Receiver.Request> requests(String commandId) {
        return receiver.requests().stream().filter(r -> commandId.equals(r.key())).toList();
    }

    private List<Integer> statuses(String commandId) {
        return requests(commandId).stream().map(Receiver.Request::answeredWith).toList();
    }

    private static List<DeadLetter> deadLetters(JobSettings s) throws Exception {
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(s.deadLetterTopic, IsolationLevel.READ_COMMITTED)) {
            out.add(DeadLetter.getDecoder().decode(r.value()));
        }
        return out;
    }

    private static RetentionCommand decode(DeadLetter d) {
        byte[] b = new byte[d.getPayload().remaining()];
        d.getPayload().duplicate().get(b);
        try {
            return RetentionCommand.getDecoder().decode(b);
        } catch (java.io.IOException e) {
            throw new AssertionError("dead letter payload is no command", e);
        }
    }
}
