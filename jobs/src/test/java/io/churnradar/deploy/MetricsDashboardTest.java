package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus scrape config of docker/: every query names a metric the job
 * reports (the names PrometheusMetricsTest reads from a running job, or Flink's own checkpoint gauges),
 * and Prometheus scrapes the port the production config gives the reporter.
 */
class MetricsDashboardTest {
    private static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    /** What the job reports, as Flink's Prometheus reporter names it (PrometheusMetricsTest checks these on a running job). */
    static final Set<String> REPORTED = Set.of(
            OPERATOR + "eventType_eventsIn", OPERATOR + "duplicates", OPERATOR + "lateEvents",
            OPERATOR + "signal_severity_status_alerts", OPERATOR + "action_disposition_commands",
            OPERATOR + "reason_deadLetters", OPERATOR + "tier_accountsByTier", OPERATOR + "alertLatencyMs",
            "flink_jobmanager_job_lastCheckpointDuration", "flink_jobmanager_job_lastCheckpointSize");

    @Test
    void everyPanelQueriesAMetricTheJobReports() throws Exception {
        JsonNode dashboard = DeployFiles.JSON.readTree(DeployFiles.read(DeployFiles.ROOT.resolve("docker/grafana/dashboards/churn-radar.json")));
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode t : panel.get("targets")) exprs.add(t.get("expr").asText());
        }
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("flink_[A-Za-z_]+").matcher(String.join("\n", exprs));
        while (m.find()) used.add(m.group());
        assertThat(used).isNotEmpty().allSatisfy(name -> assertThat(REPORTED).contains(name));
        assertThat(used).containsAll(REPORTED);
    }

    @Test
    void prometheusScrapesTheReporterPortOfTheProductionConfig() {
        JsonNode scrape = DeployFiles.yaml(DeployFiles.ROOT.resolve("docker/prometheus.yml"));
        String port = DeployFiles.yaml(DeployFiles.ROOT.resolve("flink-conf/config.yaml"))
                .get("metrics.reporter.prom.port").asText();
        List<String> targets = new ArrayList<>();
        scrape.get("scrape_configs").get(0).get("static_configs").get(0).get("targets").forEach(t -> targets.add(t.asText()));
        assertThat(targets).containsExactlyInAnyOrder("jobmanager:" + port, "taskmanager:" + port);
        JsonNode compose = DeployFiles.yaml(DeployFiles.ROOT.resolve("docker/compose.yaml"));
        assertThat(compose.get("services").has("prometheus")).isTrue();
        assertThat(compose.get("services").get("grafana").get("volumes").toString()).contains("grafana/dashboards");
    }
}
