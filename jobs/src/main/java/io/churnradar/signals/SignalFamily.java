package io.churnradar.signals;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.detect.AccountState;
import io.churnradar.ingest.AccountEvent;
import java.io.Serializable;

/**
 * The rules of one family of signals, as hooks the engine calls in event-time order: on each event,
 * at the close of a UTC day, and at the family's own deadlines. The engine keeps one timer per
 * account at the earliest moment any family needs. A family is registered once, in
 * {@link SignalCatalog}, with the {@link SignalSpec} of each signal it raises.
 */
public interface SignalFamily extends Serializable {

    /** Applies one de-duplicated event (of any type: a family ignores the ones it does not watch). */
    default void onEvent(AccountState s, AccountEvent e, Alerting emit) {}

    /** The first UTC day, {@code fromDay} or later, whose close this family needs to see, or NONE. */
    default long firstDayNeedingClose(AccountState s, long fromDay) {
        return NONE;
    }

    /** The close of day {@code day} (at {@code (day + 1) * DAY_MS}). */
    default void onDayClose(AccountState s, long day, Alerting emit) {}

    /** The earliest deadline still pending, or NONE. */
    default long nextDeadline(AccountState s) {
        return NONE;
    }

    /** Event time reached {@code at}, this family's {@link #nextDeadline}; it must move or clear that deadline. */
    default void onDeadline(AccountState s, long at, Alerting emit) {}
}
