package io.churnradar.signals;

import io.churnradar.alerts.Severity;
import io.churnradar.propensity.ChurnScore;
import io.churnradar.score.Health;
import java.util.Map;

/**
 * What a signal family may do with the episodes of the account it is looking at; the engine
 * implements it (dating alerts, attaching the health score, handing alerts to the playbooks), so that
 * a family needs nothing of the engine but this.
 */
public interface Alerting {

    /** Opens an episode of {@code signal} unless one is open. */
    void raise(Signal signal, Severity severity, long at, Map<String, String> evidence, String why);

    /** Raises, or updates an open episode when the severity rises (never lowers it). */
    void raiseOrEscalate(Signal signal, Severity severity, long at, Map<String, String> evidence, String why);

    /** Closes the open episode of {@code signal}, if any. */
    void resolve(Signal signal, long at, Map<String, String> evidence, String why);

    /**
     * The account's churn propensity, scored at the day close being processed: the engine puts it on the
     * health update it publishes at that close (one per scored account and day).
     */
    default void scored(ChurnScore score, long dayCloseAt) {}

    /** The account's health at an instant, from its state now. */
    Health healthAt(long at);
}
