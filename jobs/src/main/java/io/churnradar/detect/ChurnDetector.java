package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.metrics.LabeledCounters;
import io.churnradar.metrics.TierCounts;
import io.churnradar.play.OutcomeEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-account churn detection, keyed by account id: de-duplicates events by id (the hashes of the newest kept in
 * the account's state, the older in a list beside it that is read only when an id's fingerprint matches,
 * {@link SeenEventIds}: one state read and one write per event, and one write of the list for every eight ids of a
 * busy account), runs the
 * {@link SignalEngine} on each event and on the passing of event time, and keeps at most one
 * event-time timer per account (its next day close or deadline). Shared by the streaming job and the backtest.
 *
 * <p>Order: an event ahead of the watermark is held in its account's {@link EventBuffer} and applied when
 * the watermark passes it ({@link HeldAccounts}: the operator releases the account), in event-time order
 * interleaved with the account's day closes and deadlines,
 * so every output (alerts with their scores, health updates, commands) is the same whatever order events
 * arrive in within the out-of-orderness bound, and the same after a restore. A late event (at or behind
 * the watermark) is applied on arrival, dated at the watermark. {@link EventOrdering} can switch to
 * applying every event on arrival instead (lower latency, read-order-dependent scores).
 *
 * <p>The second (broadcast) input carries rule sets that were validated upstream, as YAML text. The
 * current one is kept in the broadcast state {@value #RULES_STATE} (key {@value #CURRENT_RULES}), so
 * it survives restarts from a checkpoint or savepoint; until one arrives the detector runs the rules it
 * was constructed with. A new set applies to everything processed after it, and every account's timer
 * is re-planned under it. Run it through {@link ChurnPipeline}, whose operator keeps rule sets from
 * holding back event time.
 */
public class ChurnDetector extends KeyedBroadcastProcessFunction<String, AccountEvent, String, RiskAlert>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(ChurnDetector.class);

    public static final String UID = "churn-detector";
    public static final String ACCOUNT_STATE = "account";
    /** Versions 1 to 3 kept each event id here; read only to migrate their savepoints (see {@link #foldOldEventIds}). */
    public static final String SEEN_EVENT_IDS = "seen-event-ids";
    /** The list state of each account's older de-duplication ids ({@link SeenEventIds.Listed}). */
    public static final String LISTED_EVENT_IDS = "listed-event-ids";
    public static final String ACCEPTED = "eventsAccepted";
    public static final String DUPLICATES = "duplicates";
    public static final String LATE = "lateEvents";
    /** Events applied ahead of event-time order because their account's buffer was full (a Flink metric and accumulator). */
    public static final String RELEASED_EARLY = "eventsReleasedEarly";
    /** Rule sets applied on this subtask (a Flink metric). */
    public static final String RULE_SETS_APPLIED = "ruleSetsApplied";
    /** Health updates of the accounts. */
    public static final OutputTag<AccountHealth> HEALTH = new OutputTag<>("account-health", TypeInformation.of(AccountHealth.class));
    /** Every playbook decision (the audit; the SEND ones are the commands to execute). */
    public static final OutputTag<RetentionCommand> COMMANDS = new OutputTag<>("retention-commands", TypeInformation.of(RetentionCommand.class));
    /** Accounts entering playbooks and their outcomes. */
    public static final OutputTag<OutcomeEvent> OUTCOMES = new OutputTag<>("playbook-outcomes", TypeInformation.of(OutcomeEvent.class));
    /** Each day close evaluated, with the account's state at it (for the propensity features of a training run). */
    public static final OutputTag<DayClose> DAY_CLOSES = new OutputTag<>("day-closes", TypeInformation.of(DayClose.class));
    /** MRR movements from subscription events, for the retention KPIs (io.churnradar.kpi). */
    public static final OutputTag<io.churnradar.kpi.MrrMovement> MRR_MOVEMENTS =
            new OutputTag<>("mrr-movements", TypeInformation.of(io.churnradar.kpi.MrrMovement.class));
    /** Broadcast state: the rules in force, as the YAML text of a validated rule set. */
    public static final String RULES_STATE = "rules";
    /** Operator state (a union list): the accounts holding events and when the earliest is due ({@link HeldAccounts}). */
    public static final String HELD_ACCOUNTS_STATE = "held-accounts";
    public static final String CURRENT_RULES = "current";
    public static final MapStateDescriptor<String, String> RULES = new MapStateDescriptor<>(RULES_STATE, Types.STRING, Types.STRING);
    /** The source name rule texts are parsed under, for log messages. */
    static final String RULES_SOURCE = "broadcast rules";

    /** The rules given at construction: in force until a rule set arrives. */
    private final SignalEngine initialEngine;
    private final Duration stateTtl;
    /** Event-time order through the account's buffer, or arrival order; and the buffer's bound. */
    private final EventOrdering ordering;

    /** The engine of the rules in force and the broadcast text it was built from (null: the initial rules). */
    private transient SignalEngine engine;
    private transient String engineText;
    /** The operator's timer service, for re-planning every account's timer after a rules change. */
    private transient TimerService timers;
    /**
     * The operator's last event time short of the end of the input ({@link ChurnPipeline}'s operator tells it):
     * at the end of a bounded input a timer pushed past it by the spread still runs the closes due by it.
     */
    private transient long lastWatermark = Long.MIN_VALUE;

    private transient ValueStateDescriptor<AccountState> accountDescriptor;
    private transient ValueState<AccountState> account;
    /** Every read and write of {@link #account}: on RocksDB a changed account may stay an object until the next checkpoint. */
    private transient AccountCache accounts;
    /** The current account's older de-duplication ids. */
    private transient ListedIds listedIds;
    /** The old per-id map, registered only when a restored account still has ids in it. */
    private transient MapState<String, Long> oldSeenEventIds;
    private transient Counter acceptedMetric;
    private transient Counter duplicateMetric;
    private transient Counter lateMetric;
    private transient Counter releasedEarlyMetric;
    private transient LongCounter releasedEarlyCount;
    private transient Counter ruleSetsMetric;
    private transient LongCounter acceptedCount;
    private transient LongCounter duplicateCount;
    private transient LongCounter lateCount;
    /** Operator metrics (docs/operations.md): events by type, alerts, commands, latency, accounts by tier. */
    private transient LabeledCounters eventsIn;
    private transient LabeledCounters alertsOut;
    private transient LabeledCounters commandsOut;
    private transient Histogram alertLatency;
    private transient TierCounts tiers;
    private transient ListState<TierCounts.TierCount> tierState;
    /** The accounts holding events, by their earliest one: released by the operator as the watermark passes it. */
    private transient HeldAccounts held;
    private transient ListState<HeldAccounts.Entry> heldState;
    /** The broadcast state of the rules in force (the contexts' view of it, also outside an element or timer). */
    private transient ReadOnlyBroadcastState<String, String> rulesState;
    /** The most accounts this subtask may create (a backtest on the heap sets it), or null. */
    private transient AccountLimit accountLimit;

    /**
     * @param rules the rules in force until a rule set arrives on the broadcast input
     * @param stateTtl how long an account that stops sending events is remembered (processing
     *     time), or null to keep it for ever
     */
    public ChurnDetector(Rules rules, Duration stateTtl) {
        this(rules, stateTtl, EventOrdering.defaults());
    }

    /** @param ordering the order events apply in: event time through a bounded buffer per account (the default), or arrival */
    public ChurnDetector(Rules rules, Duration stateTtl, EventOrdering ordering) {
        this.stateTtl = stateTtl;
        this.ordering = ordering == null ? EventOrdering.defaults() : ordering;
        this.initialEngine = new SignalEngine(rules, this.ordering.closeEveryActiveDay());
    }

    /** The order it applies events in, and its account cache. */
    EventOrdering ordering() {
        return ordering;
    }

    /** The rules the detector starts with. */
    public Rules initialRules() {
        return initialEngine.rules();
    }

    /** Lets a rules change re-plan timers; {@link ChurnPipeline}'s operator calls it when it opens. */
    void useTimerService(TimerService timerService) {
        this.timers = timerService;
    }

    /**
     * Keeps up to {@code capacity} changed accounts as objects until the next checkpoint, as long as that pays
     * ({@link AccountCache}); the operator calls it when it opens, with capacity 0 on the heap backend, whose state
     * holds the objects already.
     */
    void useKeyContext(org.apache.flink.streaming.api.operators.KeyContext keys, int capacity) {
        accounts = new AccountCache(account, keys, capacity);
    }

    /** Writes the accounts kept as objects to the state: before a checkpoint, and before a test reads the state. */
    public void flushAccounts() throws java.io.IOException {
        if (accounts != null) accounts.flush();
    }

    /** Accounts kept as objects and not written to the state yet (the tests' view of {@link AccountCache}). */
    int accountsCached() {
        return accounts == null ? 0 : accounts.size();
    }

    /** Whether the cache keeps accounts that hold no events now (the tests' view of {@link AccountCache}). */
    boolean keepingIdleAccounts() {
        return accounts != null && accounts.keepingIdle();
    }

    /** Accounts the cache wrote because it was full (the tests' view of {@link AccountCache}). */
    long accountsWrittenOnLeaving() {
        return accounts == null ? 0 : accounts.writtenOnLeaving();
    }

    /** The operator's event time moved; called before the timers it makes due fire. */
    void watermarkAdvanced(long watermark) {
        if (watermark != Long.MAX_VALUE) lastWatermark = watermark;
    }

    @Override
    public void open(OpenContext openContext) {
        // TypeInformation.of(AccountState.class) is the compact layout (AccountState's @TypeInfo).
        accountDescriptor = new ValueStateDescriptor<>(ACCOUNT_STATE, AccountState.class);
        if (stateTtl != null) accountDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
        account = getRuntimeContext().getState(accountDescriptor);
        ListStateDescriptor<long[]> listed = new ListStateDescriptor<>(LISTED_EVENT_IDS, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        if (stateTtl != null) listed.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
        listedIds = new ListedIds(getRuntimeContext().getListState(listed));
        accounts = AccountCache.writeThrough(account); // until the operator gives its key context (useKeyContext)
        oldSeenEventIds = null;
        engine = initialEngine;
        accountLimit = AccountLimit.of(getRuntimeContext().getGlobalJobParameters(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        engineText = null;

        var metrics = getRuntimeContext().getMetricGroup();
        acceptedMetric = metrics.counter(ACCEPTED);
        duplicateMetric = metrics.counter(DUPLICATES);
        lateMetric = metrics.counter(LATE);
        releasedEarlyMetric = metrics.counter(RELEASED_EARLY);
        ruleSetsMetric = metrics.counter(RULE_SETS_APPLIED);
        eventsIn = new LabeledCounters(metrics, "eventsIn", "eventType");
        alertsOut = new LabeledCounters(metrics, "alerts", "signal", "severity", "status");
        commandsOut = new LabeledCounters(metrics, "commands", "action", "disposition");
        // Wall-clock time from an alert's detectedAt to its emission: the delay the job adds (a replay of old events shows their age).
        alertLatency = metrics.histogram("alertLatencyMs", new DescriptiveStatisticsHistogram(1_000));
        if (tiers == null) tiers = new TierCounts();
        tiers.register(metrics);
        acceptedCount = counter(ACCEPTED);
        duplicateCount = counter(DUPLICATES);
        lateCount = counter(LATE);
        releasedEarlyCount = counter(RELEASED_EARLY);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        tierState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("accounts-by-tier", TypeInformation.of(TierCounts.TierCount.class)));
        tiers = new TierCounts();
        if (context.isRestored()) tiers.restore(tierState.get());
        rulesState = context.getOperatorStateStore().getBroadcastState(RULES);
        heldState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(HELD_ACCOUNTS_STATE, TypeInformation.of(HeldAccounts.Entry.class)));
        held = new HeldAccounts();
        if (context.isRestored()) {
            var task = getRuntimeContext().getTaskInfo();
            int maxParallelism = task.getMaxNumberOfParallelSubtasks();
            KeyGroupRange own = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                    maxParallelism, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
            held.restore(heldState.get(), account -> own.contains(KeyGroupRangeAssignment.assignToKeyGroup(account, maxParallelism)));
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // Before the keyed backend's snapshot (Flink snapshots the function's state first): every account in it.
        flushAccounts();
        tierState.update(tiers.snapshot());
        heldState.update(held.snapshot());
    }

    /** Accounts holding events now (the tests' view of {@link HeldAccounts}). */
    int accountsHoldingEvents() {
        return held == null ? 0 : held.size();
    }

    private LongCounter counter(String name) {
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(AccountEvent e, ReadOnlyContext ctx, Collector<RiskAlert> out) throws Exception {
        SignalEngine engine = engine();
        long watermark = ctx.timerService().currentWatermark();
        AccountState s = accounts.get(ctx.getCurrentKey());
        boolean folded = false;
        if (s == null) {
            if (accountLimit != null) accountLimit.created();
            s = new AccountState();
        } else if (s.oldestEventIdAt != NONE) {
            foldOldEventIds(s);
            folded = true;
        }
        if (isDuplicate(e, s, engine)) {
            duplicateMetric.inc();
            duplicateCount.add(1);
            if (e.eventTime > watermark && EventBuffer.replaceCopy(s, e)) {
                // The copy held came first but is not the one to apply (an earlier time, or more fields at the same time).
                reschedule(ctx.getCurrentKey(), s, engine, ctx.timerService());
                store(ctx.getCurrentKey(), s);
            } else if (folded) {
                store(ctx.getCurrentKey(), s); // the old map is gone: its ids must reach the state even now
            }
            return;
        }
        acceptedMetric.inc();
        acceptedCount.add(1);
        eventsIn.inc(e.type.name());
        boolean late = e.eventTime <= watermark;
        if (late) {
            lateMetric.inc();
            lateCount.add(1);
        }
        if (late || !ordering.eventTimeOrder()) {
            // A late event cannot wait for a watermark that has passed it: applied now, dated at the watermark.
            applyNow(ctx, s, e, watermark, engine, out);
        } else if (ordering.inputSorted() && EventBuffer.size(s) == 0) {
            // The backtest's merge (EventTimeMerge) passed it on once the watermark passed it, in the buffer's order: nothing can come
            // before it any more, so it applies now as the buffer would release it (letTimePass), without the buffer.
            io.churnradar.alerts.HealthTier tierBefore = s.lastHealthTier;
            applyInOrder(ctx.getCurrentKey(), s, e, engine, output(emitting(ctx, out)));
            tiers.move(tierBefore, s.lastHealthTier);
        } else {
            // Ahead of event time: held until the watermark passes it (releaseHeld), so that the order events
            // arrive in within the bound changes nothing. De-duplicated above, on arrival, all the same.
            EventBuffer.add(s, e);
            if (EventBuffer.size(s) > ordering.maxBufferedPerAccount()) {
                // A full buffer must not grow: its earliest event applies now, as in arrival order.
                releasedEarlyMetric.inc();
                releasedEarlyCount.add(1);
                applyNow(ctx, s, EventBuffer.poll(s), watermark, engine, out);
            }
        }
        if (watermark != Long.MIN_VALUE) pruneEventIds(s, watermark, engine); // also for accounts that never need a timer
        reschedule(ctx.getCurrentKey(), s, engine, ctx.timerService());
        store(ctx.getCurrentKey(), s);
    }

    /** Stores the account, and when its earliest held event is due (none: it holds none). */
    private void store(String key, AccountState s) throws java.io.IOException {
        accounts.put(key, s);
        held.update(key, EventBuffer.earliestTime(s));
    }

    /** Today's path for late events and arrival order: the event applies at once under the current watermark. */
    private void applyNow(ReadOnlyContext ctx, AccountState s, AccountEvent e, long watermark, SignalEngine engine,
            Collector<RiskAlert> out) {
        io.churnradar.alerts.HealthTier tierBefore = s.lastHealthTier;
        DetectionOutput output = output(emitting(ctx, out));
        // The closes and deadlines due by now whose timer the spread has not fired yet come first, as time
        // passing (as if the timer had fired): the event sees the state it would see without a spread.
        if (s.firstEventDay != NONE && watermark != Long.MIN_VALUE) engine.onTime(ctx.getCurrentKey(), s, watermark, output);
        engine.onEventAfterTime(ctx.getCurrentKey(), s, e, watermark == Long.MIN_VALUE ? NONE : watermark, output);
        tiers.move(tierBefore, s.lastHealthTier);
    }

    /**
     * An event the watermark has passed, in its place in event-time order: after the day closes and deadlines
     * before it and before those at its own instant (events come before timers), as a sorted replay applies
     * them: the event is applied under a watermark just behind it, so it is on time.
     */
    private static void applyInOrder(String key, AccountState s, AccountEvent e, SignalEngine engine, DetectionOutput output) {
        long justBefore = e.eventTime - 1;
        if (s.firstEventDay != NONE) engine.onTime(key, s, justBefore, output);
        engine.onEventAfterTime(key, s, e, justBefore, output);
    }

    /** The account's timer: its next day close or deadline (or, in a checkpoint of an older version, a held event). */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskAlert> out) throws Exception {
        AccountState s = accounts.get(ctx.getCurrentKey());
        if (s == null) return;
        letTimePass(ctx.getCurrentKey(), s, ctx.timerService().currentWatermark(), true, ctx.timerService(), emitting(ctx, out));
    }

    /** Whether a wake-up (a day close or deadline, or NONE) is due by the watermark. */
    private static boolean dueBy(long wakeUp, long watermark) {
        return wakeUp != NONE && wakeUp <= watermark;
    }

    /**
     * The watermark passed {@code watermark}: every account whose earliest held event it passed, earliest first, has
     * its held events applied as its timer would apply them. The operator calls it before the timers the watermark
     * makes due fire, with the current key switched to each account and its records timestamped at the release.
     */
    void releaseHeld(long watermark, org.apache.flink.streaming.api.operators.KeyContext keys, Releasing emit) throws Exception {
        for (HeldAccounts.Entry due = held.pollDue(watermark); due != null; due = held.pollDue(watermark)) {
            keys.setCurrentKey(due.accountId);
            AccountState s = accounts.get(due.accountId);
            if (s == null) continue; // expired by the state TTL meanwhile
            emit.at(due.releaseAt);
            letTimePass(due.accountId, s, watermark, false, timers, emit);
        }
    }

    /**
     * Event time reached {@code watermark} for an account: its held events the watermark passed, in event-time order
     * with the day closes and deadlines between them, then the closes and deadlines due by the watermark, and its
     * timer re-planned. {@code timerFired}: the account's timer fired, else a release.
     */
    private void letTimePass(String key, AccountState s, long watermark, boolean timerFired, TimerService timerService,
            Emitting emit) throws Exception {
        boolean endOfInput = watermark == Long.MAX_VALUE;
        // End of a bounded input with nothing held: nothing may be detected later than the newest data.
        // A timer the spread pushed past the input's last event time still owes the closes due by that time.
        // Asked of the state, not of the timer's offset: a timer restored from a version with other offsets
        // fires where that version put it.
        boolean owesCloses = timerFired && endOfInput && lastWatermark != Long.MIN_VALUE && s.firstEventDay != NONE
                && dueBy(engine().nextWakeup(s), lastWatermark);
        if (endOfInput && EventBuffer.size(s) == 0 && !owesCloses) return;
        if (s.oldestEventIdAt != NONE) foldOldEventIds(s);
        SignalEngine engine = engine();
        if (timerFired) s.pendingTimer = NONE; // this one has fired
        io.churnradar.alerts.HealthTier tierBefore = s.lastHealthTier;
        DetectionOutput output = output(emit);
        if (owesCloses) engine.onTime(key, s, lastWatermark, output);
        // The held events the watermark passed, in event-time order.
        while (EventBuffer.size(s) > 0 && EventBuffer.earliestTime(s) <= watermark) {
            applyInOrder(key, s, EventBuffer.poll(s), engine, output);
        }
        if (endOfInput) {
            // End of a bounded input: the held events applied with only the deadlines and day closes before
            // them; nothing may be detected later than the newest data, and no timer is set any more.
            tiers.move(tierBefore, s.lastHealthTier);
            store(key, s);
            return;
        }
        engine.onTime(key, s, watermark, output);
        tiers.move(tierBefore, s.lastHealthTier);
        pruneEventIds(s, watermark, engine);
        reschedule(key, s, engine, timerService);
        store(key, s);
    }

    /**
     * A validated rule set: it becomes the rules in force on this subtask, and every account's timer
     * is re-planned under it (a deadline may have moved earlier, or a signal been enabled).
     */
    @Override
    public void processBroadcastElement(String rulesYaml, Context ctx, Collector<RiskAlert> out) throws Exception {
        SignalEngine next;
        try {
            next = new SignalEngine(Rules.parse(rulesYaml, RULES_SOURCE), ordering.closeEveryActiveDay());
        } catch (RuntimeException ex) {
            // Validated upstream with the same code: only a bug gets here. The rules in force stay.
            LOG.error("Ignoring a rule set that does not build: {}", ex.getMessage());
            return;
        }
        ctx.getBroadcastState(RULES).put(CURRENT_RULES, rulesYaml);
        engine = next;
        engineText = rulesYaml;
        ruleSetsMetric.inc();
        // The churn model came inline with the text (the validator read its file once): loaded here, once per rule set.
        LOG.debug("Rules {} in force on subtask {}{}", next.rules().version, getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                next.rules().model == null ? "" : ", churn model " + next.rules().model.id());
        if (timers != null) {
            TimerService t = timers;
            accounts.flush(); // the pass below reads and writes the state itself
            ctx.applyToKeyedState(accountDescriptor, (key, state) -> {
                AccountState s = state.value();
                if (s == null) return;
                long before = s.pendingTimer;
                reschedule(key, s, next, t);
                if (s.pendingTimer != before) state.update(s);
            });
        }
    }

    /**
     * The engine of the rules in force: the broadcast state's text, else the initial rules. The state
     * hands back the same String until the rules change, so the check costs one lookup per element.
     */
    private SignalEngine engine() throws Exception {
        String text = rulesState.get(CURRENT_RULES);
        if (text != engineText) {
            engine = text == null ? initialEngine : restore(text);
            engineText = text;
        }
        return engine;
    }

    /** The engine of a text restored from a checkpoint; the initial rules when this version no longer accepts it. */
    private SignalEngine restore(String text) {
        try {
            SignalEngine restored = new SignalEngine(Rules.parse(text, RULES_SOURCE), ordering.closeEveryActiveDay());
            LOG.info("Rules {} restored from the checkpoint", restored.rules().version);
            return restored;
        } catch (RuntimeException ex) {
            LOG.warn("The checkpointed rule set is not valid for this version of the job; using rules {} instead: {}",
                    initialEngine.rules().version, ex.getMessage());
            return initialEngine;
        }
    }

    /**
     * Where the records of a detection go: the main output (alerts) and the side outputs, through the context of an
     * element or a timer, or straight to the operator's output when it releases held accounts.
     */
    interface Emitting {
        void alert(RiskAlert alert);

        <X> void side(OutputTag<X> tag, X value);
    }

    /** The operator's own output, for {@link #releaseHeld}: every record timestamped at the release, as a timer's would be. */
    interface Releasing extends Emitting {
        void at(long timestamp);
    }

    private static Emitting emitting(ReadOnlyContext ctx, Collector<RiskAlert> out) {
        return new Emitting() {
            @Override
            public void alert(RiskAlert alert) {
                out.collect(alert);
            }

            @Override
            public <X> void side(OutputTag<X> tag, X value) {
                ctx.output(tag, value);
            }
        };
    }

    /** Alerts to the main output; health updates, playbook decisions and outcomes to their side outputs. */
    private DetectionOutput output(Emitting ctx) {
        return new DetectionOutput() {
            @Override
            public void accept(RiskAlert alert) {
                alertsOut.inc(alert.getSignal(), alert.getSeverity().name(), alert.getStatus().name());
                alertLatency.update(Math.max(0, System.currentTimeMillis() - alert.getDetectedAt().toEpochMilli()));
                ctx.alert(alert);
            }

            @Override
            public void health(AccountHealth health) {
                ctx.side(HEALTH, health);
            }

            @Override
            public void dayClosed(String accountId, AccountState s, long day) {
                // Dropped where nothing consumes the side output (the streaming job); serialized on the way where something does.
                ctx.side(DAY_CLOSES, new DayClose(accountId, day, s));
            }

            @Override
            public void command(RetentionCommand command) {
                commandsOut.inc(command.getAction(), command.getDisposition().name());
                ctx.side(COMMANDS, command);
            }

            @Override
            public void outcome(OutcomeEvent outcome) {
                ctx.side(OUTCOMES, outcome);
            }

            @Override
            public void mrrMovement(io.churnradar.kpi.MrrMovement movement) {
                ctx.side(MRR_MOVEMENTS, movement);
            }
        };
    }

    /** An id seen for this account within the de-duplication window (event time) is a duplicate. */
    private boolean isDuplicate(AccountEvent e, AccountState s, SignalEngine engine) throws Exception {
        return SeenEventIds.isDuplicateElseRemember(s, listedIds, e.eventId, e.eventTime, engine.rules().dedupWindowDays * SignalEngine.DAY_MS);
    }

    /** Forgets the ids that fell out of the window. */
    private void pruneEventIds(AccountState s, long watermark, SignalEngine engine) throws Exception {
        SeenEventIds.forgetBefore(s, listedIds, watermark - engine.rules().dedupWindowDays * SignalEngine.DAY_MS);
    }

    /**
     * The older de-duplication ids of the current account ({@link SeenEventIds}): a list state beside its value, with
     * the value's TTL. An id added to it is never older than the account's value: the TTL removes both together, except
     * that ids older than {@code state.ttl} go even from an account still sending events (a window longer than the TTL).
     */
    static final class ListedIds implements SeenEventIds.Listed {
        private final ListState<long[]> state;

        ListedIds(ListState<long[]> state) {
            this.state = state;
        }

        @Override
        public Iterable<long[]> batches() throws Exception {
            Iterable<long[]> batches = state.get();
            return batches == null ? List.of() : batches;
        }

        @Override
        public void add(long[] batch) throws Exception {
            state.add(batch);
        }

        @Override
        public void replace(List<long[]> batches) throws Exception {
            if (batches.isEmpty()) state.clear();
            else state.update(batches);
        }
    }

    /**
     * Migration of a savepoint of versions 1 to 3, which kept each event id of an account in the map
     * state {@value #SEEN_EVENT_IDS} and the oldest one's time in {@code oldestEventIdAt}. An account
     * restored with {@code oldestEventIdAt} set still has its ids there: at its first event or timer they
     * are hashed into the account's value (a re-sent event stays a duplicate), the map's entries are
     * removed and {@code oldestEventIdAt} goes back to NONE, once. Accounts written by this version never
     * have it set, so they never touch the map: no state access per event beyond the account's value. The
     * map is registered only then, with the TTL it was written with; the ones past the window go at the
     * next pruning. An account with no further event or timer keeps its map entries until the state TTL expires them.
     */
    private void foldOldEventIds(AccountState s) throws Exception {
        if (oldSeenEventIds == null) {
            MapStateDescriptor<String, Long> old = new MapStateDescriptor<>(SEEN_EVENT_IDS, String.class, Long.class);
            if (stateTtl != null) old.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
            oldSeenEventIds = getRuntimeContext().getMapState(old);
        }
        for (Map.Entry<String, Long> id : oldSeenEventIds.entries()) {
            SeenEventIds.remember(s, SeenEventIds.hash(id.getKey()), id.getValue());
        }
        oldSeenEventIds.clear();
        s.oldestEventIdAt = NONE;
    }

    /**
     * The account's one timer: its next deadline or day close (plus the account's offset within the spread). Its held
     * events are released by the operator instead ({@link #releaseHeld}), and run the closes due before them themselves.
     */
    private void reschedule(String key, AccountState s, SignalEngine engine, TimerService timers) {
        long wakeUp = engine.nextWakeup(s);
        long want = wakeUp == NONE ? NONE : wakeUp + ordering.wakeUpOffset(key);
        if (want == s.pendingTimer) return;
        if (s.pendingTimer != NONE) timers.deleteEventTimeTimer(s.pendingTimer);
        if (want != NONE) timers.registerEventTimeTimer(want);
        s.pendingTimer = want;
    }
}
