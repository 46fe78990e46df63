package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.BacktestSummary;
import io.churnradar.backtest.results.AlertJson;
import io.churnradar.backtest.results.CommandJson;
import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.events.TicketStatus;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming job reading events from Kafka and the backtest reading the same events from one
 * JSON Lines file (in event-time order) produce the same alerts: same ids, signals, statuses,
 * severities, detection times, episodes, evidence and explanations.
 *
 * <p>The backtest's watermark follows one ordered stream; the streaming job's is the minimum over
 * every partition of four topics, each read at its own pace, so events of one topic are routinely
 * applied days ahead of the watermark while another topic lags. With one partition per topic every
 * account's events of one type are still in order, which is what the detector relies on; with two
 * partitions per topic (clock accounts on both) the same holds per account.
 */
class StreamingMatchesBacktestTest {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} partition(s) per event topic")
    @ValueSource(ints = {1, 2})
    void streamingAndBacktestAgree(int partitions) throws Exception {
        PlantedSignals planted = new PlantedSignals(partitions);
        addAheadOfWatermarkPatterns(planted.scenario);

        JobSettings s = KafkaJobRun.settings(KAFKA, "match" + partitions);
        // The streaming job spreads its day closes past midnight (the default); the backtest does not: same outputs.
        assertThat(s.eventOrdering.dayCloseSpread()).isPositive();
        KafkaJobRun.createTopics(KAFKA, s, partitions);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            planted.scenario.produce(producer, s);
        }
        JobExecutionResult streamingResult = KafkaJobRun.runToEnd(s, PARALLELISM);
        List<String> streaming = new ArrayList<>();
        for (RiskAlert a : KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED)) streaming.add(AlertJson.toJson(a));

        Path events = dir.resolve("events.jsonl");
        planted.scenario.writeJsonLines(events);
        Path out = dir.resolve("backtest");
        BacktestSummary summary = BacktestJob.run(events, out, Rules.defaults(), s.maxOutOfOrderness, PARALLELISM,
                FlinkTestCluster.config());
        List<String> backtest = Files.readAllLines(out.resolve("alerts.jsonl"), StandardCharsets.UTF_8);

        // Both saw the same events and the same duplicates.
        assertThat(summary.deadLettered).isZero();
        assertThat(summary.duplicates).isEqualTo(3);
        assertThat(streamingResult.<Long>getAccumulatorResult(ChurnDetector.DUPLICATES)).isEqualTo(summary.duplicates);
        assertThat(streamingResult.<Long>getAccumulatorResult(ChurnDetector.ACCEPTED)).isEqualTo(summary.eventsAccepted);
        assertThat(streamingResult.<Long>getAccumulatorResult(ChurnDetector.LATE)).isZero();
        assertThat(summary.lateEvents).isZero();

        assertThat(normalized(streaming)).as("streaming alerts against backtest alerts")
                .containsExactlyInAnyOrderElementsOf(normalized(backtest));

        // The playbooks decided the same: every decision once in the audit, the SEND ones once in the commands topic.
        List<RetentionCommand> audit = KafkaJobRun.commands(KAFKA, s.commandsAuditTopic, IsolationLevel.READ_COMMITTED);
        List<RetentionCommand> sent = KafkaJobRun.commands(KAFKA, s.commandsTopic, IsolationLevel.READ_COMMITTED);
        assertThat(audit).isNotEmpty();
        assertThat(audit).extracting(RetentionCommand::getCommandId).doesNotHaveDuplicates();
        assertThat(sent).extracting(RetentionCommand::getCommandId).doesNotHaveDuplicates();
        assertThat(sent).allMatch(c -> c.getDisposition() == CommandDisposition.SEND);
        assertThat(decisions(audit.stream().map(CommandJson::toJson).toList())).as("streaming decisions against the backtest's")
                .containsExactlyInAnyOrderElementsOf(decisions(Files.readAllLines(out.resolve("command-audit.jsonl"))));
        assertThat(decisions(sent.stream().map(CommandJson::toJson).toList()))
                .containsExactlyInAnyOrderElementsOf(decisions(Files.readAllLines(out.resolve("commands.jsonl"))));

        // And they are exactly the planted alerts (not merely the same mistakes twice).
        List<PlantedSignals.Expected> expected = new ArrayList<>(PlantedSignals.expectedAlerts());
        expected.addAll(AHEAD_OF_WATERMARK_ALERTS);
        List<RiskAlert> alerts = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED);
        AlertAssertions.assertExactly(alerts, expected, partitions + " partition(s)");
        AlertAssertions.assertPlantedEvidence(alerts);
        assertThat(AlertAssertions.only(alerts, LATE_LOGIN, "USAGE_DROP", AlertStatus.RAISED).getEvidence())
                .containsEntry("cur", "57").containsEntry("prev", "84");
    }

    private static final String LATE_LOGIN = "acct-late-login";
    private static final String TWO_SPIKES = "acct-two-spikes";
    private static final String GAP = "acct-gap";

    /** What {@link #addAheadOfWatermarkPatterns} must produce (worked out in its comments). */
    private static final List<PlantedSignals.Expected> AHEAD_OF_WATERMARK_ALERTS = List.of(
            new PlantedSignals.Expected(LATE_LOGIN, "USAGE_DROP", AlertStatus.RAISED, Severity.HIGH, at(17, 0)),
            new PlantedSignals.Expected(LATE_LOGIN, "USAGE_DROP", AlertStatus.RESOLVED, Severity.HIGH, at(24, 0)),
            new PlantedSignals.Expected(TWO_SPIKES, "TICKET_SPIKE", AlertStatus.RAISED, Severity.MEDIUM, at(4, 14)),
            new PlantedSignals.Expected(TWO_SPIKES, "TICKET_SPIKE", AlertStatus.RESOLVED, Severity.MEDIUM, at(10, 0)),
            new PlantedSignals.Expected(TWO_SPIKES, "TICKET_SPIKE", AlertStatus.RAISED, Severity.MEDIUM, at(17, 14)),
            new PlantedSignals.Expected(TWO_SPIKES, "TICKET_SPIKE", AlertStatus.RESOLVED, Severity.MEDIUM, at(23, 0)),
            new PlantedSignals.Expected(GAP, "INACTIVITY", AlertStatus.RAISED, Severity.MEDIUM, at(15, 6)),
            new PlantedSignals.Expected(GAP, "INACTIVITY", AlertStatus.RESOLVED, Severity.MEDIUM, at(30, 6)));

    /**
     * Patterns whose outcome depends on applying every event after the day closes and deadlines
     * before it, although on Kafka an account's login or ticket may be read long before the watermark
     * (held back by another topic) reaches it.
     */
    private static void addAheadOfWatermarkPatterns(Scenario s) {
        // Usage 12/day on days 0-13, 3/day on days 14-20, 12/day after: the close of day 16 sees 57
        // over days 10-16 against 84 over days 3-9 (RAISED), the close of day 23 48 against 57
        // (RESOLVED). Its first login (day 25) is often read before its usage from day 0 on: the days
        // before that login must still be closed and its earlier usage counted.
        for (int d = 0; d <= PlantedSignals.LAST_DAY; d++) {
            s.usage(LATE_LOGIN, "lu-" + d, at(d, 7), "api", d <= 13 ? 12 : d <= 20 ? 3 : 12, null);
        }
        s.login(LATE_LOGIN, "ll-25", at(25, 10), null);
        s.login(LATE_LOGIN, "ll-35", at(35, 10), null);

        // Tickets opened on days 2, 3, 4 (RAISED on day 4; days 3-9 hold 2 at the close of day 9:
        // RESOLVED) and on days 15, 16, 17 (RAISED on day 17, RESOLVED at the close of day 22). All six
        // may be read before the watermark closes any day of the first spike: the first spike must end
        // before the second can start.
        for (int d : new int[] {2, 3, 4, 15, 16, 17}) {
            s.ticket(TWO_SPIKES, "ts-" + d, at(d, 14), "S-" + d, TicketStatus.OPENED, null);
        }

        // Logins on days 1, 30, 40 (06:00): silent from day 15 06:00 to the day-30 login. That login is
        // often read before the watermark reaches day 15: the silence still counts.
        s.login(GAP, "g-1", at(1, 6), null);
        s.login(GAP, "g-30", at(30, 6), null);
        s.login(GAP, "g-40", at(40, 6), null);
    }

    /**
     * The decisions without the parameters filled from the health score (see {@link #normalized}):
     * id, account, action, time, disposition and reason.
     */
    private static List<String> decisions(List<String> lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            JsonNode c = JSON.readTree(line);
            out.add(String.join(" ", c.get("commandId").asText(), c.get("accountId").asText(), c.get("action").asText(),
                    c.get("issuedAt").asText(), c.get("disposition").asText(), c.path("dispositionReason").asText("-"),
                    c.get("reason").get("playbook").asText()));
        }
        return out;
    }

    /**
     * The alerts without the health score they carry: the score reflects every event the detector had
     * read at detection, and a Kafka source may read a topic ahead of the watermark, so it can differ
     * from the backtest's within the out-of-orderness (docs/signals.md). The signals themselves may not.
     */
    private static List<JsonNode> normalized(List<String> lines) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            n.remove(List.of("healthScore", "healthTier"));
            out.add(n);
        }
        return out;
    }
}
