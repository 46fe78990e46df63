package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.detect.state.FeatureUsage;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.play.PlaybookEngine;
import io.churnradar.score.AccountHealthModel;
import io.churnradar.signals.SignalCatalog;
import io.churnradar.signals.SignalFamily;
import java.io.Serializable;
import java.util.List;

/**
 * The detection rules of every signal, free of Flink: it moves an {@link AccountState} forward on an
 * event or on the passing of event time, and emits the alerts and health updates that follow.
 * {@link ChurnDetector} runs it in the streaming job and in the backtest alike. The rules themselves
 * live in one {@link SignalFamily} per family of signals, registered in {@link SignalCatalog} in the
 * order they run; this class keeps them in event-time order.
 *
 * <p>Time: a UTC day D closes when the watermark reaches D+1 00:00Z. When the watermark moves, the
 * due day closes and deadlines are processed in event-time order (a deadline before a close at the
 * same instant). An alert caused by an event is dated at the event time, but never before the
 * watermark (a late event's alert says {@code late}).
 */
public final class SignalEngine implements Serializable {
    private static final long serialVersionUID = 2L;
    /**
     * {@link EventTime#DAY_MS}, kept for AccountState, ChurnDetector and the launcher, which read it
     * here; a compile-time constant, so the state gains no dependency on the engine by it.
     */
    public static final long DAY_MS = EventTime.DAY_MS;
    /** Steps of one {@link #advance}: far more than any real jump of time needs; a bug must not hang the job. */
    private static final int MAX_STEPS = 1_000_000;

    private final Rules rules;
    private final AccountHealthModel health;
    /** The playbooks: they see every alert, and their delayed steps are deadlines of the account. */
    private final PlaybookEngine plays;
    /** In the catalog's order: the order they see each event and each day close (RENEWAL_AT_RISK last: it reads the score). */
    private final SignalFamily[] families;
    /**
     * The families, in the same order, that have day closes to ask for, that act at a close, and that have deadlines
     * ({@link #overrides}). The engine plans closes and deadlines about four times per event; asking all thirteen
     * families each time, through the interface, was 4 to 6% of the backtest's detection thread (JFR), while five have
     * deadlines and fewer plan closes. The others' answer is always the interface's: nothing.
     */
    private final SignalFamily[] planningCloses;
    private final SignalFamily[] closing;
    private final SignalFamily[] withDeadlines;
    /** Close every day the account has day buckets, whether or not a family needs it ({@link EventOrdering#closeEveryActiveDay}). */
    private final boolean closeEveryActiveDay;
    /** {@link Rules#lookbackDays}, once: each day close drops the buckets older than it. */
    private final int lookbackDays;

    public SignalEngine(Rules rules) {
        this(rules, false);
    }

    /** @param closeEveryActiveDay close every day the account has usage or tickets in the look-back (a training run) */
    public SignalEngine(Rules rules, boolean closeEveryActiveDay) {
        this.rules = rules;
        this.closeEveryActiveDay = closeEveryActiveDay;
        this.health = new AccountHealthModel(rules);
        this.plays = new PlaybookEngine(rules.playbooks, rules.version);
        List<SignalFamily> all = SignalCatalog.families(rules);
        this.families = all.toArray(SignalFamily[]::new);
        this.planningCloses = overriding(all, "firstDayNeedingClose", AccountState.class, long.class);
        this.closing = overriding(all, "onDayClose", AccountState.class, long.class, io.churnradar.signals.Alerting.class);
        this.withDeadlines = overriding(all, "nextDeadline", AccountState.class);
        this.lookbackDays = rules.lookbackDays();
    }

    public Rules rules() {
        return rules;
    }

    /** {@link EventTime#dayOf}, kept for the callers that read it here. */
    public static long dayOf(long epochMillis) {
        return EventTime.dayOf(epochMillis);
    }

    /** Applies one (de-duplicated) event. */
    public void onEvent(String accountId, AccountState s, AccountEvent e, long watermark, DetectionOutput out) {
        onEvent(accountId, s, e, watermark, out, false);
    }

    /**
     * Applies one (de-duplicated) event right after {@link #onTime} let time pass to the same {@code watermark}
     * (the detector does so for every event): the closes and deadlines due by then have run, so only days the
     * event re-opens are closed again before it. Planning them asks every family; skipping the repeat saves one
     * of the four plannings an event costs.
     */
    public void onEventAfterTime(String accountId, AccountState s, AccountEvent e, long watermark, DetectionOutput out) {
        onEvent(accountId, s, e, watermark, out, true);
    }

    private void onEvent(String accountId, AccountState s, AccountEvent e, long watermark, DetectionOutput out, boolean timePassed) {
        boolean late = watermark != NONE && e.eventTime <= watermark;
        Emitter emit = new Emitter(accountId, s, watermark, late, out, rules.version, health, plays);
        long day = EventTime.dayOf(e.eventTime);
        if (s.firstEventDay == NONE) {
            s.firstEventDay = day;
            s.firstEventAt = e.eventTime;
            s.lastClosedDay = watermark == NONE ? day - 1 : Math.max(day - 1, EventTime.lastDueDay(watermark));
        } else {
            s.firstEventDay = Math.min(s.firstEventDay, day);
            s.firstEventAt = Math.min(s.firstEventTime(), e.eventTime);
            // The account's first event skipped the days before it; an older event that is not due yet
            // (read from another partition behind that first one) re-opens them. Only days up to the
            // watermark were ever closed, so no day is closed twice.
            long reopenFrom = watermark == NONE ? day - 1 : Math.max(day - 1, EventTime.lastDueDay(watermark));
            long closedBefore = s.lastClosedDay;
            s.lastClosedDay = Math.min(s.lastClosedDay, reopenFrom);
            if (!timePassed || s.lastClosedDay < closedBefore) advance(s, watermark, emit);
        }
        if (e.type == EventType.SUBSCRIPTION) {
            // Before the signals: a cancellation settles the outcomes of the plays that came before it.
            boolean inOrder = s.subscription == null || s.subscription.lifecycleAt == NONE || e.eventTime >= s.subscription.lifecycleAt;
            s.plays = plays.onSubscription(s.plays, emit.facts(), e.eventTime, e.action == null ? null : e.action.name(),
                    e.doNotContact, inOrder, out);
        }
        if (e.type == EventType.USAGE && e.quantity > 0 && e.feature != null) {
            FeatureUsage.record(s, e.feature, e.eventTime);
        }
        MrrMovements.Before subscriptionBefore = MrrMovements.before(s, e);
        for (SignalFamily f : families) f.onEvent(s, e, emit);
        MrrMovements.emit(accountId, subscriptionBefore, s, e, watermark, out);
        emit.decide();
        advance(s, watermark, emit);
        health.update(s, watermark == NONE ? e.eventTime : Math.max(e.eventTime, watermark), emit::publishHealth);
    }

    /** Lets event time pass up to the watermark: closes due days and fires due deadlines. */
    public void onTime(String accountId, AccountState s, long watermark, DetectionOutput out) {
        advance(s, watermark, new Emitter(accountId, s, NONE, false, out, rules.version, health, plays));
    }

    /** When the account next needs event time to pass, or NONE: its one timer. */
    public long nextWakeup(AccountState s) {
        long next = NONE;
        if (s.lastClosedDay != NONE) {
            long d = firstDayNeedingClose(s, s.lastClosedDay + 1);
            if (d != NONE) next = EventTime.closeAt(d);
        }
        long deadline = nextDeadline(s);
        if (deadline != NONE && (next == NONE || deadline < next)) {
            next = deadline;
        }
        return next;
    }

    private void advance(AccountState s, long watermark, Emitter emit) {
        if (watermark == NONE) return;
        long target = EventTime.lastDueDay(watermark);
        for (int step = 0; ; step++) {
            if (step > MAX_STEPS) throw new IllegalStateException("event time makes no progress for an account at " + watermark);
            long d = s.lastClosedDay < target ? firstDayNeedingClose(s, s.lastClosedDay + 1) : NONE;
            if (d != NONE && d > target) d = NONE;
            long deadline = nextDeadline(s);
            if (deadline != NONE && deadline <= watermark && (d == NONE || deadline <= EventTime.closeAt(d))) {
                for (SignalFamily f : withDeadlines) {
                    if (f.nextDeadline(s) == deadline) f.onDeadline(s, deadline, emit);
                }
                if (plays.nextDeadline(s.plays) == deadline) plays.onDeadline(s.plays, emit.facts(), deadline, emit.pending(), emit.out());
                emit.decide();
                health.update(s, deadline, emit::publishHealth);
                continue;
            }
            if (d == NONE) break;
            s.lastClosedDay = d - 1; // the quiet days before it needed no close
            for (SignalFamily f : closing) f.onDayClose(s, d, emit);
            emit.decide();
            s.lastClosedDay = d;
            DayBuckets.dropBefore(s, d + 2 - lookbackDays);
            if (emit.hasChurnScore()) {
                health.publish(s, EventTime.closeAt(d), emit::publishHealth); // the churn score rides on it
            } else {
                health.update(s, EventTime.closeAt(d), emit::publishHealth);
            }
            emit.dayClosed(d);
        }
        if (s.lastClosedDay < target) s.lastClosedDay = target; // nothing can change on a quiet day: skip ahead
    }

    /**
     * The first day from {@code from} whose close a family or the score asks for: a close only where it can change
     * something, since on RocksDB each one is a timer, a read and a write of the account.
     */
    private long firstDayNeedingClose(AccountState s, long from) {
        if (closeEveryActiveDay && !DayBuckets.isEmpty(s)) return from;
        long first = health.firstDayNeedingClose(s, from);
        for (SignalFamily f : planningCloses) first = EventTime.earliest(first, f.firstDayNeedingClose(s, from));
        return first;
    }

    private long nextDeadline(AccountState s) {
        long next = plays.nextDeadline(s.plays);
        for (SignalFamily f : withDeadlines) next = EventTime.earliest(next, f.nextDeadline(s));
        return next;
    }

    /** The families whose class overrides the interface's do-nothing method {@code name}, in their order. */
    static SignalFamily[] overriding(List<SignalFamily> families, String name, Class<?>... parameters) {
        return families.stream().filter(f -> overrides(f, name, parameters)).toArray(SignalFamily[]::new);
    }

    static boolean overrides(SignalFamily f, String name, Class<?>... parameters) {
        try {
            return f.getClass().getMethod(name, parameters).getDeclaringClass() != SignalFamily.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("SignalFamily has no method " + name, e);
        }
    }
}
