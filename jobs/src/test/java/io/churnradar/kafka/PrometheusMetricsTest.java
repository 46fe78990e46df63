package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's own metrics as an operator's Prometheus scrapes them: a MiniCluster with Flink's Prometheus
 * reporter, the streaming job running on planted history, and the reporter's HTTP endpoint read until
 * the events, alerts, commands, dead letters, latency and tiers show.
 */
class PrometheusMetricsTest {
    private static final int PARALLELISM = 2;
    private static final String PORTS = "9260-9299";

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(withReporter(FlinkTestCluster.config()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .build());

    private static Configuration withReporter(Configuration c) {
        c.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", PORTS);
        return c;
    }

    @Test
    void theRunningJobReportsItsMetricsToPrometheus() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "prom");
        s.bounded = false; // scraped while it runs
        KafkaJobRun.createTopics(KAFKA, s, 2);
        PlantedSignals planted = new PlantedSignals(2);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            planted.scenario.produce(producer, s);
        }
        StreamExecutionEnvironment env = KafkaJobRun.environment(s, PARALLELISM, new Configuration());
        JobClient job = env.executeAsync(StreamingJob.JOB_NAME);
        HttpClient http = HttpClient.newHttpClient();
        String[] scraped = {""};
        try {
            Deadline.in(Duration.ofMinutes(2)).pollUntil("the job's metrics on the Prometheus endpoint", () -> {
                StringBuilder all = new StringBuilder();
                for (int port = 9260; port <= 9299; port++) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                        all.append(r.body());
                    } catch (java.io.IOException nobodyThere) {
                        // the reporter took another port of the range
                    }
                }
                scraped[0] = all.toString();
                // Every series asserted below: the planted alerts come as event time passes them, not all at once.
                return EXPECTED.stream().allMatch(p -> p.matcher(scraped[0]).find());
            });
        } finally {
            job.cancel().get();
        }
        String m = scraped[0];
        for (java.util.regex.Pattern p : EXPECTED) assertThat(m).containsPattern(p.pattern());
    }

    /** Flink's Prometheus reporter puts the label keys into the name: operator_<keys>_<metric>{<key>="<value>",...}. */
    private static final List<java.util.regex.Pattern> EXPECTED = java.util.stream.Stream.of(
                    "flink_taskmanager_job_task_operator_eventType_eventsIn\\{[^}]*eventType=\"USAGE\"",
                    "operator_signal_severity_status_alerts\\{[^}]*signal=\"PAYMENT_FAILED\"",
                    "operator_signal_severity_status_alerts\\{[^}]*severity=\"HIGH\"",
                    "operator_action_disposition_commands\\{[^}]*action=\"SEND_DUNNING_EMAIL\"",
                    "operator_action_disposition_commands\\{[^}]*disposition=\"SEND\"",
                    "operator_reason_deadLetters\\{[^}]*reason=\"[a-z_]+\"",
                    "operator_tier_accountsByTier\\{[^}]*tier=\"GREEN\"",
                    "operator_alertLatencyMs", "operator_duplicates", "operator_lateEvents")
            .map(java.util.regex.Pattern::compile).toList();
}
