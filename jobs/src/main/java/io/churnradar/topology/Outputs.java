package io.churnradar.topology;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.kpi.KpiSettings;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.propensity.FeatureRow;
import java.time.Duration;
import io.churnradar.retention.RetentionKpi;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where each output of {@link ChurnTopology} goes: a sink (and the operator's name) per output, made
 * once by {@link #builder()} and immutable after. The streaming job gives Kafka sinks, the backtest
 * file sinks, tests collecting sinks. Alerts and dead letters must go somewhere; an output left unset
 * is not wired (its records are dropped where the detector makes them); none can be set twice.
 *
 * @param <D> the type of dead letters (Kafka's {@code DeadLetter}, the backtest's rejected lines)
 */
public final class Outputs<D> {
    /** One output: its sink, the operator's name and its parallelism (0: the stream's default). */
    public static final class Output<T> {
        final Sink<T> sink;
        final String name;
        final int parallelism;

        private Output(Sink<T> sink, String name, int parallelism) {
            this.sink = Objects.requireNonNull(sink, "sink");
            if (name == null || name.isBlank()) throw new IllegalArgumentException("an output needs an operator name");
            if (parallelism < 0) throw new IllegalArgumentException("parallelism must be 0 (the default) or more, got " + parallelism);
            this.name = name;
            this.parallelism = parallelism;
        }

        /** {@code sink} at the default parallelism, its operator named {@code name}. */
        public static <T> Output<T> of(Sink<T> sink, String name) {
            return new Output<>(sink, name, 0);
        }

        /** The same output with {@code parallelism} subtasks (1 for one file or one ordered writer). */
        public Output<T> withParallelism(int parallelism) {
            if (parallelism < 1) throw new IllegalArgumentException("parallelism must be 1 or more, got " + parallelism);
            return new Output<>(sink, name, parallelism);
        }
    }

    final Output<RiskAlert> alerts;
    final Output<AccountHealth> health;
    final Output<RetentionCommand> commandsAudit;
    final Output<RetentionCommand> commands;
    final List<Consumer<DataStream<RetentionCommand>>> commandAttachments;
    final Output<PlaybookOutcome> playbookOutcomes;
    final Output<OutcomeEvent> outcomeEvents;
    final Output<RetentionKpi> kpis;
    final KpiSettings kpiSettings;
    final Output<D> deadLetters;
    final Output<RulesStatus> rulesStatus;
    final Output<FeatureRow> featureRows;
    final Duration featureRowsHorizon;

    private Outputs(Builder<D> b) {
        alerts = b.alerts;
        health = b.health;
        commandsAudit = b.commandsAudit;
        commands = b.commands;
        commandAttachments = List.copyOf(b.commandAttachments);
        playbookOutcomes = b.playbookOutcomes;
        outcomeEvents = b.outcomeEvents;
        kpis = b.kpis;
        kpiSettings = b.kpiSettings;
        deadLetters = b.deadLetters;
        rulesStatus = b.rulesStatus;
        featureRows = b.featureRows;
        featureRowsHorizon = b.featureRowsHorizon;
    }

    public static <D> Builder<D> builder() {
        return new Builder<>();
    }

    /** Whether rule statuses have a sink: required when the topology validates rule updates. */
    public boolean hasRulesStatus() {
        return rulesStatus != null;
    }

    /** Builds {@link Outputs}; each setter checks its arguments and refuses a second sink for the same output. */
    public static final class Builder<D> {
        private Output<RiskAlert> alerts;
        private Output<AccountHealth> health;
        private Output<RetentionCommand> commandsAudit;
        private Output<RetentionCommand> commands;
        private final List<Consumer<DataStream<RetentionCommand>>> commandAttachments = new ArrayList<>();
        private Output<PlaybookOutcome> playbookOutcomes;
        private Output<OutcomeEvent> outcomeEvents;
        private Output<RetentionKpi> kpis;
        private KpiSettings kpiSettings = KpiSettings.defaults();
        private Output<D> deadLetters;
        private Output<RulesStatus> rulesStatus;
        private Output<FeatureRow> featureRows;
        private Duration featureRowsHorizon;

        private Builder() {}

        /** Risk alerts (operator uid {@code alerts-sink}). */
        public Builder<D> alerts(Sink<RiskAlert> sink, String name) {
            return alerts(Output.of(sink, name));
        }

        public Builder<D> alerts(Output<RiskAlert> o) {
            alerts = once(alerts, o, "alerts");
            return this;
        }

        /** Health score updates (uid {@code account-health-sink}). */
        public Builder<D> health(Sink<AccountHealth> sink, String name) {
            return health(Output.of(sink, name));
        }

        public Builder<D> health(Output<AccountHealth> o) {
            health = once(health, o, "health");
            return this;
        }

        /** Every playbook decision with its disposition (uid {@code commands-audit-sink}). */
        public Builder<D> commandsAudit(Sink<RetentionCommand> sink, String name) {
            return commandsAudit(Output.of(sink, name));
        }

        public Builder<D> commandsAudit(Output<RetentionCommand> o) {
            commandsAudit = once(commandsAudit, o, "commandsAudit");
            return this;
        }

        /** The commands to execute, disposition SEND only (uid {@code commands-sink}). */
        public Builder<D> commands(Sink<RetentionCommand> sink, String name) {
            return commands(Output.of(sink, name));
        }

        public Builder<D> commands(Output<RetentionCommand> o) {
            commands = once(commands, o, "commands");
            return this;
        }

        /**
         * Something more that consumes the commands to execute and sets its own uids (the webhooks);
         * called once, while the topology is built.
         */
        public Builder<D> alsoOnCommands(Consumer<DataStream<RetentionCommand>> attachment) {
            commandAttachments.add(Objects.requireNonNull(attachment, "attachment"));
            return this;
        }

        /** Daily playbook outcome records (uid {@code playbook-outcomes-sink}). */
        public Builder<D> playbookOutcomes(Sink<PlaybookOutcome> sink, String name) {
            return playbookOutcomes(Output.of(sink, name));
        }

        public Builder<D> playbookOutcomes(Output<PlaybookOutcome> o) {
            playbookOutcomes = once(playbookOutcomes, o, "playbookOutcomes");
            return this;
        }

        /** Every outcome event as the detector makes it, unaggregated (uid {@code outcome-events-sink}). */
        public Builder<D> outcomeEvents(Sink<OutcomeEvent> sink, String name) {
            return outcomeEvents(Output.of(sink, name));
        }

        public Builder<D> outcomeEvents(Output<OutcomeEvent> o) {
            outcomeEvents = once(outcomeEvents, o, "outcomeEvents");
            return this;
        }

        /** Retention KPIs per day and segment, default segments (uid {@code kpis-sink}). */
        public Builder<D> kpis(Sink<RetentionKpi> sink, String name) {
            return kpis(Output.of(sink, name), KpiSettings.defaults());
        }

        /** Retention KPIs per day and segment, segmented by {@code settings}' MRR bands (uid {@code kpis-sink}). */
        public Builder<D> kpis(Output<RetentionKpi> o, KpiSettings settings) {
            kpis = once(kpis, o, "kpis");
            kpiSettings = java.util.Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Dead letters (uid {@code dead-letter-sink}). */
        public Builder<D> deadLetters(Sink<D> sink, String name) {
            return deadLetters(Output.of(sink, name));
        }

        public Builder<D> deadLetters(Output<D> o) {
            deadLetters = once(deadLetters, o, "deadLetters");
            return this;
        }

        /** The APPLIED or REJECTED status of each rule update (uid {@code rules-status-sink}, one subtask). */
        public Builder<D> rulesStatus(Sink<RulesStatus> sink, String name) {
            return rulesStatus(Output.of(sink, name));
        }

        public Builder<D> rulesStatus(Output<RulesStatus> o) {
            rulesStatus = once(rulesStatus, o, "rulesStatus");
            return this;
        }

        /**
         * The propensity feature rows of every live account and day (uid {@code feature-rows-sink}), for a
         * training run; accounts silent for longer than {@code horizon} get none.
         */
        public Builder<D> featureRows(Output<FeatureRow> o, Duration horizon) {
            featureRows = once(featureRows, o, "featureRows");
            featureRowsHorizon = Objects.requireNonNull(horizon, "horizon");
            return this;
        }

        public Outputs<D> build() {
            if (alerts == null) throw new IllegalStateException("outputs need a sink for the alerts");
            if (deadLetters == null) throw new IllegalStateException("outputs need a sink for the dead letters: bad input is never dropped silently");
            return new Outputs<>(this);
        }

        private static <T> Output<T> once(Output<T> current, Output<T> next, String what) {
            Objects.requireNonNull(next, what);
            if (current != null) throw new IllegalStateException("the " + what + " output is set already: no output is wired twice");
            return next;
        }
    }
}
