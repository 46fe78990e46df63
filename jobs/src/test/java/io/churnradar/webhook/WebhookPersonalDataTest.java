package io.churnradar.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.kafka.KafkaJobRun;
import io.churnradar.kafka.PersonalDataOutputsTest;
import io.churnradar.signals.Evidence;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhook bodies and headers over real HTTP, from the streaming job on events that carry personal data
 * (survey comments, names and e-mail addresses as user ids, an address in a plan, a free-text
 * cancellation reason: {@link PersonalDataOutputsTest#history()}). Commands carry ids, actions and the
 * playbook's parameters; the one way event data gets into them is a placeholder such as {@code {plan}},
 * so the rules here add a playbook that writes the plan to the CRM and a Slack message that names it.
 * By default no request to either endpoint holds any of that personal data; with
 * {@code privacy.includePersonalData: true} the plan comes through as the events gave it, while comments
 * and names, which no command carries, still do not.
 */
class WebhookPersonalDataTest {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLAN = "pro-for-erin@example.com";
    /** What no webhook request carries even when the rules allow personal data: no command has a field for it. */
    private static final List<String> NEVER = List.of("Jane Doe", "jane.doe", "new UI is awful", "John Smith", "support was rude",
            "Mary Major", "competitor");

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
        receiver.close();
    }

    @Test
    void noRequestCarriesPersonalDataByDefault() throws Exception {
        run("whpd1", false);

        String pseudonym = Evidence.userId(PLAN, false);
        assertThat(crmPlanValues()).as("the plan written to the CRM").contains(pseudonym);
        assertThat(slackTexts()).as("the Slack messages").anyMatch(t -> t.contains("plan " + pseudonym));
        for (Receiver.Request r : receiver.requests()) {
            for (String p : PersonalDataOutputsTest.PERSONAL) {
                assertThat(r.bodyText()).as("body to %s of %s holds '%s'", r.path(), r.key(), p).doesNotContain(p);
                assertThat(r.headers().toString()).as("headers to %s of %s hold '%s'", r.path(), r.key(), p).doesNotContain(p);
            }
        }
    }

    @Test
    void theRulesCanAllowThePlanAsTheEventsGaveIt() throws Exception {
        run("whpd2", true);

        assertThat(crmPlanValues()).as("the plan written to the CRM").contains(PLAN);
        assertThat(slackTexts()).as("the Slack messages").anyMatch(t -> t.contains("plan " + PLAN));
        for (Receiver.Request r : receiver.requests()) {
            for (String p : NEVER) {
                assertThat(r.bodyText()).as("body to %s of %s holds '%s'", r.path(), r.key(), p).doesNotContain(p);
                assertThat(r.headers().toString()).as("headers to %s of %s hold '%s'", r.path(), r.key(), p).doesNotContain(p);
            }
        }
    }

    /**
     * Runs the streaming job over the history, its commands to two endpoints of the receiver: Slack
     * messages to one, every other action as the generic JSON body (signed) to the other.
     */
    private void run(String prefix, boolean includePersonalData) throws Exception {
        JobSettings s = JobSettings.parse("""
                webhooks:
                  timeout: 10s
                  maxAttempts: 3
                  initialBackoff: 10ms
                  maxBackoff: 50ms
                  endpoints:
                    slack:
                      url: %s
                      actions: [NOTIFY_SLACK]
                      format: slack
                    ops:
                      url: %s
                      actions: [default]
                      secretEnv: CHURN_RADAR_TEST_WEBHOOK_SECRET
                """.formatted(receiver.url("/slack/T0/B0/XYZ"), receiver.url("/ops")), prefix + ".yaml");
        topics(s, prefix);
        Rules rules = Rules.parse("""
                version: privacy-webhooks-1
                privacy:
                  includePersonalData: %s
                playbooks:
                  crm-plan:
                    trigger: {signals: [ANY]}
                    holdoutPercent: 0
                    steps:
                      - {action: UPDATE_CRM, params: {field: plan, value: "{plan}"}}
                  high-risk-slack:
                    steps:
                      - {action: NOTIFY_SLACK, params: {channel: "#churn-risk", message: "Account on plan {plan} needs a look"}}
                """.formatted(includePersonalData), prefix + "-rules.yaml");

        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (ObjectNode e : PersonalDataOutputsTest.history()) {
                String topic = s.topicOf(EventType.fromJsonName(e.get("type").asText()));
                producer.send(new ProducerRecord<>(topic, e.get("accountId").asText().getBytes(StandardCharsets.UTF_8),
                        e.toString().getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.config());
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(500);
        StreamingJob.build(env, s, rules);
        env.executeAsync(StreamingJob.JOB_NAME).getJobExecutionResult().get(3, TimeUnit.MINUTES);

        assertThat(receiver.requests("/ops")).as("JSON requests").isNotEmpty();
        assertThat(receiver.requests("/slack/T0/B0/XYZ")).as("Slack requests").isNotEmpty();
    }

    /** The {@code value} of every UPDATE_CRM of the {@code plan} field that reached the JSON endpoint, for acct-cancel. */
    private List<String> crmPlanValues() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (Receiver.Request r : receiver.requests("/ops")) {
            JsonNode body = JSON.readTree(r.body());
            if (body.get("accountId").asText().equals("acct-cancel") && body.get("action").asText().equals("UPDATE_CRM")
                    && body.path("params").path("field").asText().equals("plan")) {
                out.add(body.path("params").path("value").asText());
            }
        }
        return out;
    }

    private List<String> slackTexts() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (Receiver.Request r : receiver.requests("/slack/T0/B0/XYZ")) {
            String text = JSON.readTree(r.body()).get("text").asText();
            if (text.contains("acct-cancel")) out.add(text);
        }
        return out;
    }

    /** The job's topics under {@code prefix}, JSON events, created on the broker. */
    private static void topics(JobSettings s, String prefix) throws Exception {
        KafkaJobRun.boundedRunOn(s, KAFKA.bootstrapServers(), prefix);
        for (String t : s.eventTopics()) s.topicFormats.put(t, InputFormat.JSON);
        KafkaJobRun.createTopics(KAFKA, s, 1);
    }
}
