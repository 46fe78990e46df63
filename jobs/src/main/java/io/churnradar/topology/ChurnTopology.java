package io.churnradar.topology;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.kpi.RetentionKpis;
import io.churnradar.outcome.DailyPlaybookOutcomes;
import io.churnradar.rules.RulesUpdate;
import io.churnradar.rules.RulesValidator;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one graph of Churn Radar from its events to its outputs, with the sources and the sinks injected:
 * the streaming job gives Kafka sources and sinks, the backtest its file reader and file sinks, tests
 * whatever they collect with. Each output is wired here once, under the uid the savepoints of the
 * streaming job know it by.
 */
public final class ChurnTopology {
    public static final String ALERTS_SINK_UID = "alerts-sink";
    /** The last gate of the alerts before their sink: personal data out unless the rules allow it. */
    public static final String ALERTS_PERSONAL_DATA_UID = "alerts-personal-data";
    /** The same gate for the commands, before the audit, the commands topic and the webhooks. */
    public static final String COMMANDS_PERSONAL_DATA_UID = "commands-personal-data";
    public static final String HEALTH_SINK_UID = "account-health-sink";
    public static final String COMMANDS_AUDIT_SINK_UID = "commands-audit-sink";
    public static final String COMMANDS_TO_EXECUTE_UID = "commands-to-execute";
    public static final String COMMANDS_SINK_UID = "commands-sink";
    public static final String PLAYBOOK_OUTCOMES_SINK_UID = "playbook-outcomes-sink";
    public static final String OUTCOME_EVENTS_SINK_UID = "outcome-events-sink";
    public static final String KPIS_SINK_UID = "kpis-sink";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String RULES_STATUS_SINK_UID = "rules-status-sink";
    public static final String FEATURE_ROWS_SINK_UID = "feature-rows-sink";

    private ChurnTopology() {}

    /**
     * Wires detection and every output.
     *
     * @param events the accepted events, with timestamps and watermarks
     * @param deadLetters what the sources rejected, to {@code outputs}' dead-letter sink as they are
     * @param ruleUpdates rule files published while the job runs (one subtask, in order), validated here
     *     with their statuses to {@code outputs}' rules-status sink; null: {@code rules} throughout
     * @param rules the rules in force until an update applies
     * @param stateTtl how long an idle account's state is kept; null: for ever
     * @return the detector's alerts, whose side outputs carry health, commands, outcomes and MRR movements
     */
    public static <D> SingleOutputStreamOperator<RiskAlert> build(DataStream<AccountEvent> events, DataStream<D> deadLetters,
            DataStream<RulesUpdate> ruleUpdates, Rules rules, Duration stateTtl, Outputs<D> outputs) {
        return build(events, deadLetters, ruleUpdates, rules, stateTtl, io.churnradar.detect.EventOrdering.defaults(), outputs);
    }

    /** As above, with the order the detector applies events in ({@code eventTime.order}). */
    public static <D> SingleOutputStreamOperator<RiskAlert> build(DataStream<AccountEvent> events, DataStream<D> deadLetters,
            DataStream<RulesUpdate> ruleUpdates, Rules rules, Duration stateTtl, io.churnradar.detect.EventOrdering ordering,
            Outputs<D> outputs) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(outputs, "outputs");
        if (ruleUpdates != null && !outputs.hasRulesStatus()) {
            throw new IllegalArgumentException("rule updates need a rules-status output: every update is answered");
        }
        if (ruleUpdates == null && outputs.hasRulesStatus()) {
            throw new IllegalArgumentException("a rules-status output without rule updates would never receive a status");
        }

        SingleOutputStreamOperator<RiskAlert> alerts = ruleUpdates == null
                ? ChurnPipeline.detect(events, rules, stateTtl, ordering)
                : ChurnPipeline.detect(events, validated(ruleUpdates, rules, stateTtl, outputs), rules, stateTtl, ordering);

        // The starting rules decide (a published set that changes privacy.includePersonalData takes effect here at the next start).
        DataStream<RiskAlert> published = alerts.map(new PersonalData.Alerts(rules.includePersonalData))
                .returns(alerts.getType())
                .uid(ALERTS_PERSONAL_DATA_UID)
                .name("Personal data out of alerts");
        sink(published, outputs.alerts, ALERTS_SINK_UID);
        if (outputs.health != null) sink(alerts.getSideOutput(ChurnDetector.HEALTH), outputs.health, HEALTH_SINK_UID);
        DataStream<RetentionCommand> commands = alerts.getSideOutput(ChurnDetector.COMMANDS);
        DataStream<RetentionCommand> decisions = commands.map(new PersonalData.Commands(rules.includePersonalData))
                .returns(commands.getType())
                .uid(COMMANDS_PERSONAL_DATA_UID)
                .name("Personal data out of commands");
        if (outputs.commandsAudit != null) sink(decisions, outputs.commandsAudit, COMMANDS_AUDIT_SINK_UID);
        if (outputs.commands != null || !outputs.commandAttachments.isEmpty()) {
            SingleOutputStreamOperator<RetentionCommand> toExecute = toExecute(decisions);
            if (outputs.commands != null) sink(toExecute, outputs.commands, COMMANDS_SINK_UID);
            for (Consumer<DataStream<RetentionCommand>> attach : outputs.commandAttachments) attach.accept(toExecute);
        }
        if (outputs.playbookOutcomes != null) {
            sink(DailyPlaybookOutcomes.aggregate(alerts.getSideOutput(ChurnDetector.OUTCOMES)), outputs.playbookOutcomes,
                    PLAYBOOK_OUTCOMES_SINK_UID);
        }
        if (outputs.outcomeEvents != null) {
            sink(alerts.getSideOutput(ChurnDetector.OUTCOMES), outputs.outcomeEvents, OUTCOME_EVENTS_SINK_UID);
        }
        if (outputs.featureRows != null) {
            sink(DailyFeatureRows.of(DailyFeatureRows.closesOf(alerts), outputs.featureRowsHorizon), outputs.featureRows, FEATURE_ROWS_SINK_UID);
        }
        if (outputs.kpis != null) {
            sink(RetentionKpis.aggregate(alerts.getSideOutput(ChurnDetector.MRR_MOVEMENTS), outputs.kpiSettings), outputs.kpis,
                    KPIS_SINK_UID);
        }
        sink(deadLetters, outputs.deadLetters, DEAD_LETTER_SINK_UID);
        return alerts;
    }

    /** The decisions to execute: a consumer of the commands never sees a held-out, capped or suppressed one. */
    public static SingleOutputStreamOperator<RetentionCommand> toExecute(DataStream<RetentionCommand> decisions) {
        return decisions.filter(c -> c.getDisposition() == CommandDisposition.SEND)
                .uid(COMMANDS_TO_EXECUTE_UID)
                .name("Commands to execute");
    }

    /**
     * The rule sets to apply, in order: validated by one subtask, which writes APPLIED or REJECTED for
     * each to the rules-status output and passes on the applied ones.
     */
    private static DataStream<String> validated(DataStream<RulesUpdate> updates, Rules rules, Duration stateTtl, Outputs<?> outputs) {
        SingleOutputStreamOperator<String> applied = updates
                .process(new RulesValidator(rules, stateTtl))
                .uid(RulesValidator.UID)
                .name("Validate rules")
                .setParallelism(1);
        // One subtask makes the statuses: one writer keeps them in the order the updates came.
        sink(applied.getSideOutput(RulesValidator.STATUS), outputs.rulesStatus.withParallelism(1), RULES_STATUS_SINK_UID);
        return applied;
    }

    private static <T> DataStreamSink<T> sink(DataStream<T> stream, Outputs.Output<T> output, String uid) {
        DataStreamSink<T> s = stream.sinkTo(output.sink).uid(uid).name(output.name);
        if (output.parallelism > 0) s.setParallelism(output.parallelism);
        return s;
    }
}
