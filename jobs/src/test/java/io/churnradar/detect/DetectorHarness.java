package io.churnradar.detect;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * A {@link ChurnDetector} in Flink's keyed operator test harness (heap state unless a backend is
 * given), with the few reads the tests need: alerts, timers, counters and the keyed state of one account.
 */
final class DetectorHarness implements AutoCloseable {
    final KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h;
    private int taken;
    private int healthTaken;

    private DetectorHarness(Rules rules, StateBackend backend, OperatorSubtaskState restoreFrom, EventOrdering ordering) throws Exception {
        this(rules, backend, restoreFrom, ordering, 1, 1, 0);
    }

    private DetectorHarness(Rules rules, StateBackend backend, OperatorSubtaskState restoreFrom, EventOrdering ordering,
            int maxParallelism, int parallelism, int subtask) throws Exception {
        h = new KeyedBroadcastOperatorTestHarness<>(
                ChurnPipeline.operator(new ChurnDetector(rules, null, ordering)), e -> e.accountId, Types.STRING, maxParallelism, parallelism, subtask);
        if (backend != null) h.setStateBackend(backend);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
    }

    /**
     * The default rules with the playbooks switched off: the signal tests count alerts and timers of
     * detection alone (a playbook's delayed steps and outcome windows are timers too; PlaybookTest covers them).
     */
    static Rules signalsOnly() {
        return Rules.defaults().withPlaybooks(io.churnradar.play.PlaybookRules.none());
    }

    /*
     * The rule tests apply each event as it is sent (eventTime.order: arrival), so that they read each
     * rule's effect at once; the job's default, event-time order through the account's buffer, has its
     * own tests (EventTimeOrderTest) and the job-level ones (KafkaReadOrderTest, ReadOrderIndependenceTest).
     */

    static DetectorHarness open() throws Exception {
        return new DetectorHarness(signalsOnly(), null, null, EventOrdering.arrival());
    }

    static DetectorHarness open(Rules rules) throws Exception {
        return new DetectorHarness(rules, null, null, EventOrdering.arrival());
    }

    static DetectorHarness open(Rules rules, StateBackend backend) throws Exception {
        return new DetectorHarness(rules, backend, null, EventOrdering.arrival());
    }

    static DetectorHarness restore(OperatorSubtaskState snapshot, StateBackend backend) throws Exception {
        return new DetectorHarness(signalsOnly(), backend, snapshot, EventOrdering.arrival());
    }

    /**
     * One subtask of a detector of {@code parallelism} subtasks (key groups: {@code maxParallelism}), restored from
     * {@code restoreFrom} (null: none), which {@link #repartition} cut for it.
     */
    static DetectorHarness subtask(Rules rules, EventOrdering ordering, OperatorSubtaskState restoreFrom, int maxParallelism,
            int parallelism, int subtask) throws Exception {
        return new DetectorHarness(rules, null, restoreFrom, ordering, maxParallelism, parallelism, subtask);
    }

    /** The part of a snapshot of one subtask (of {@code fromParallelism}) that subtask {@code subtask} of {@code toParallelism} restores. */
    static OperatorSubtaskState repartition(OperatorSubtaskState snapshot, int maxParallelism, int fromParallelism, int toParallelism,
            int subtask) {
        return org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness.repartitionOperatorState(
                snapshot, maxParallelism, fromParallelism, toParallelism, subtask);
    }

    /** Accounts holding events now, released when the watermark passes their earliest one (no timer of their own). */
    int accountsHoldingEvents() {
        return detector().accountsHoldingEvents();
    }

    /** The job's default: events ahead of the watermark held and applied in event-time order. */
    static DetectorHarness inEventTimeOrder(Rules rules, EventOrdering ordering) throws Exception {
        return new DetectorHarness(rules, null, null, ordering);
    }

    static DetectorHarness restoreInEventTimeOrder(Rules rules, OperatorSubtaskState snapshot, EventOrdering ordering) throws Exception {
        return new DetectorHarness(rules, null, snapshot, ordering);
    }

    /** The job's default order on the given state backend. */
    static DetectorHarness inEventTimeOrder(Rules rules, EventOrdering ordering, StateBackend backend) throws Exception {
        return new DetectorHarness(rules, backend, null, ordering);
    }

    static DetectorHarness restoreInEventTimeOrder(Rules rules, OperatorSubtaskState snapshot, EventOrdering ordering, StateBackend backend)
            throws Exception {
        return new DetectorHarness(rules, backend, snapshot, ordering);
    }

    /** Has the detector keep at most {@code capacity} accounts as objects (RocksDB; before the first event). */
    DetectorHarness cacheAccounts(int capacity) {
        ((ChurnPipeline.DetectorOperator) h.getOperator()).cacheAccounts(capacity);
        return this;
    }

    /** Accounts the detector keeps as objects, not yet written to the keyed state (RocksDB only). */
    int accountsCached() {
        return detector().accountsCached();
    }

    /** Whether the detector's cache keeps accounts that hold no events now. */
    boolean keepingIdleAccounts() {
        return detector().keepingIdleAccounts();
    }

    /** Accounts the detector wrote because its cache was full. */
    long accountsWrittenOnLeaving() {
        return detector().accountsWrittenOnLeaving();
    }

    private ChurnDetector detector() {
        return (ChurnDetector) ((org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator<?, ?>) h.getOperator()).getUserFunction();
    }

    DetectorHarness send(AccountEvent... events) throws Exception {
        for (AccountEvent e : events) h.processElement(e, e.eventTime);
        return this;
    }

    /**
     * Sends events as a source with this out-of-orderness bound would: after each, the watermark trailing the newest
     * event read by the bound, whenever it moves past {@code watermark}. Returns the last watermark.
     */
    long sendTrailing(List<AccountEvent> events, long watermark, long bound) throws Exception {
        long max = Long.MIN_VALUE;
        for (AccountEvent e : events) {
            send(e);
            max = Math.max(max, e.eventTime);
            long wm = max - bound - 1;
            if (wm > watermark) {
                watermark(wm);
                watermark = wm;
            }
        }
        return watermark;
    }

    /** Every event input goes idle (a source whose partitions are all quiet), as Flink tells the operator. */
    DetectorHarness eventsIdle() throws Exception {
        h.getOperator().processWatermarkStatus1(org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.IDLE);
        return this;
    }

    DetectorHarness watermark(long ts) throws Exception {
        h.processWatermark(ts);
        return this;
    }

    /** Every alert emitted so far. */
    List<RiskAlert> alerts() {
        return h.extractOutputValues();
    }

    /** The alerts emitted since the previous call. */
    List<RiskAlert> newAlerts() {
        List<RiskAlert> all = alerts();
        List<RiskAlert> fresh = new ArrayList<>(all.subList(taken, all.size()));
        taken = all.size();
        return fresh;
    }

    /** Every health update emitted so far (the detector's side output). */
    List<AccountHealth> health() {
        Queue<StreamRecord<AccountHealth>> out = h.getSideOutput(ChurnDetector.HEALTH);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** The health updates emitted since the previous call. */
    List<AccountHealth> newHealth() {
        List<AccountHealth> all = health();
        List<AccountHealth> fresh = new ArrayList<>(all.subList(healthTaken, all.size()));
        healthTaken = all.size();
        return fresh;
    }

    /** The latest health update of one account, or null. */
    AccountHealth latestHealth(String account) {
        AccountHealth latest = null;
        for (AccountHealth a : health()) if (a.getAccountId().equals(account)) latest = a;
        return latest;
    }

    /** Every playbook decision emitted so far (the audit side output). */
    List<io.churnradar.commands.RetentionCommand> commands() {
        Queue<StreamRecord<io.churnradar.commands.RetentionCommand>> out = h.getSideOutput(ChurnDetector.COMMANDS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** Every playbook outcome event emitted so far. */
    List<io.churnradar.play.OutcomeEvent> outcomes() {
        Queue<StreamRecord<io.churnradar.play.OutcomeEvent>> out = h.getSideOutput(ChurnDetector.OUTCOMES);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /** The days each account closed, in the order closed (the detector's day-close side output). */
    List<String> dayCloses() {
        Queue<StreamRecord<DayClose>> out = h.getSideOutput(ChurnDetector.DAY_CLOSES);
        return out == null ? List.of() : out.stream().map(r -> r.getValue().accountId + "@" + r.getValue().day).toList();
    }

    int timers() {
        return h.numEventTimeTimers();
    }

    long counter(String name) {
        Accumulator<?, ?> a = h.getOperator().getRuntimeContext().getAccumulator(name);
        return a == null ? 0 : (Long) a.getLocalValue();
    }

    /** The class of the keyed state backend the operator really runs on. */
    String keyedBackendClass() {
        return h.getOperator().getKeyedStateBackend().getClass().getSimpleName();
    }

    OperatorSubtaskState snapshot(long checkpointId) throws Exception {
        return h.snapshot(checkpointId, checkpointId);
    }

    /** The detector's state of one account, or null. */
    AccountState accountState(String account) throws Exception {
        detector().flushAccounts(); // the accounts it holds as objects first
        h.getOperator().setCurrentKey(account);
        ValueState<AccountState> s = h.getOperator().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(ChurnDetector.ACCOUNT_STATE, AccountState.class));
        return s.value();
    }

    /** Writes one account's state as it is (a state of an earlier release, say), and its list of older ids. */
    void putAccountState(String account, AccountState state, List<long[]> listedIds) throws Exception {
        detector().flushAccounts();
        h.getOperator().setCurrentKey(account);
        h.getOperator().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(ChurnDetector.ACCOUNT_STATE, AccountState.class)).update(state);
        listedIds(account).update(listedIds);
    }

    /** The batches of one account's list of older ids, as stored. */
    List<long[]> listedBatches(String account) throws Exception {
        detector().flushAccounts();
        List<long[]> out = new java.util.ArrayList<>();
        Iterable<long[]> batches = listedIds(account).get();
        if (batches != null) batches.forEach(out::add);
        return out;
    }

    private ListState<long[]> listedIds(String account) throws Exception {
        h.getOperator().setCurrentKey(account);
        return h.getOperator().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>(ChurnDetector.LISTED_EVENT_IDS, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /** The hashes of the event ids remembered for de-duplication of one account ({@link SeenEventIds#hash}), with their event times. */
    Map<Long, Long> seenEventIds(String account) throws Exception {
        AccountState s = accountState(account);
        if (s == null) return new HashMap<>();
        return SeenEventIds.remembered(s, new ChurnDetector.ListedIds(listedIds(account)));
    }

    @Override
    public void close() throws Exception {
        h.close();
    }
}
