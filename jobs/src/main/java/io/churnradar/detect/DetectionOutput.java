package io.churnradar.detect;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.kpi.MrrMovement;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.play.PlayOutput;
import java.util.function.Consumer;

/**
 * Where the detection core sends what it finds: alerts, and, when a caller wants them, health
 * updates, playbook decisions, outcome events and MRR movements.
 */
@FunctionalInterface
public interface DetectionOutput extends Consumer<RiskAlert>, PlayOutput {
    /** A health update of the account; ignored unless the caller overrides it. */
    default void health(AccountHealth health) {}

    /**
     * The close of UTC day {@code day} was evaluated for the account, {@code s} its state at that close (for
     * day-close consumers such as the propensity features); ignored unless the caller overrides it. Only
     * days that need a close are reported: a quiet day is skipped, its state being that of the last close.
     * {@code s} is the live state: a consumer copies what it keeps.
     */
    default void dayClosed(String accountId, AccountState s, long day) {}

    /** An MRR movement of the account, for the retention KPIs; ignored unless the caller overrides it. */
    default void mrrMovement(MrrMovement movement) {}

    @Override
    default void command(RetentionCommand command) {}

    @Override
    default void outcome(OutcomeEvent outcome) {}
}
