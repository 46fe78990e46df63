package io.churnradar.detect;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.NewestEventTime;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The one detection workflow: timestamped events in, alerts out, the rules in force on a broadcast
 * input. The Kafka job, the backtest and the tests all call it.
 */
public final class ChurnPipeline {
    private ChurnPipeline() {}

    /** Detection under fixed rules: the backtest, and tests. */
    public static SingleOutputStreamOperator<RiskAlert> detect(DataStream<AccountEvent> events, Rules rules, Duration stateTtl) {
        return detect(events, rules, stateTtl, EventOrdering.defaults());
    }

    /** As above, applying events in the given order. */
    public static SingleOutputStreamOperator<RiskAlert> detect(DataStream<AccountEvent> events, Rules rules, Duration stateTtl,
            EventOrdering ordering) {
        DataStream<String> none = events.flatMap(new NoRuleUpdates())
                .returns(Types.STRING)
                .uid("no-rule-updates")
                .name("No rule updates")
                .setParallelism(events.getParallelism());
        return detect(events, none, rules, stateTtl, ordering);
    }

    /**
     * Detection under the rules given until a rule set arrives on {@code ruleUpdates} (validated YAML
     * texts, in the order they must apply: one upstream subtask), then under the newest one.
     */
    public static SingleOutputStreamOperator<RiskAlert> detect(DataStream<AccountEvent> events, DataStream<String> ruleUpdates,
            Rules rules, Duration stateTtl) {
        return detect(events, ruleUpdates, rules, stateTtl, EventOrdering.defaults());
    }

    /** As above, applying events in the given order. */
    public static SingleOutputStreamOperator<RiskAlert> detect(DataStream<AccountEvent> events, DataStream<String> ruleUpdates,
            Rules rules, Duration stateTtl, EventOrdering ordering) {
        return events
                .keyBy(e -> e.accountId, Types.STRING)
                .connect(ruleUpdates.broadcast())
                .transform("Detect churn signals", TypeInformation.of(RiskAlert.class), operator(new ChurnDetector(rules, stateTtl, ordering)))
                .uid(ChurnDetector.UID);
    }

    /** The detector's operator, for the job and for test harnesses. */
    public static CoBroadcastWithKeyedOperator<String, AccountEvent, String, RiskAlert> operator(ChurnDetector detector) {
        return new DetectorOperator(detector);
    }

    /**
     * Flink's keyed broadcast operator, except that the broadcast input has no say in event time. A
     * two-input operator's event time is the smaller of its inputs' watermarks; rule sets carry no event
     * time, so their input is declared idle for good: event time follows the events alone, exactly as
     * in a one-input operator. Otherwise the rules input would hold event time back until its first
     * watermark came, and the alerts of a backtest would depend on which input happened to be read first.
     * (Nor may it send a watermark of Long.MAX_VALUE: once the events went idle that would fire every
     * timer at the end of time.)
     */
    static final class DetectorOperator extends CoBroadcastWithKeyedOperator<String, AccountEvent, String, RiskAlert> {
        private static final long serialVersionUID = 1L;
        private static final int RULES_INPUT = 1;

        DetectorOperator(ChurnDetector detector) {
            super(detector, List.of(ChurnDetector.RULES));
        }

        @Override
        public void open() throws Exception {
            super.open();
            releasing = new Releasing();
            super.processWatermarkStatus(WatermarkStatus.IDLE, RULES_INPUT);
            // The timer service that open() created, by name: the detector re-plans timers when the rules change.
            ((ChurnDetector) userFunction).useTimerService(new SimpleTimerService(
                    getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, this)));
            // RocksDB (de)serializes an account at each read and write: keep changed ones as objects while they come back.
            boolean onHeap = getKeyedStateBackend() instanceof org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
            cacheAccounts(onHeap ? 0 : ((ChurnDetector) userFunction).ordering().accountCache());
        }

        /** Keeps up to {@code capacity} changed accounts as objects while that pays, until the next checkpoint ({@link AccountCache}). */
        void cacheAccounts(int capacity) {
            ((ChurnDetector) userFunction).useKeyContext(this, capacity);
        }

        /**
         * The newest event time this subtask's events vouch for ({@link NewestEventTime}), and the one a restored checkpoint
         * held (the newest of every subtask's): where event time goes when every event input has gone quiet. A source
         * partition quiet for its idleness passes its own newest event time, but after a restore from a checkpoint that
         * had read every partition to its end no partition reads an event again, so none has a newest to pass: held
         * events, deadlines and the commands they decide would wait for the next event however long that takes.
         */
        private transient NewestEventTime newestEvent;
        private transient long restoredNewest;
        private transient ListState<Long> newestEventState;
        /** Whether it catches up when idle: not behind the backtest's merge (inputSorted), whose watermarks say where its event time is. */
        private transient boolean catchesUp;
        /** The last watermark applied: one from the inputs behind a catch-up is not applied again. */
        private transient long lastWatermark;

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            newestEvent = new NewestEventTime();
            catchesUp = !((ChurnDetector) userFunction).ordering().inputSorted();
            restoredNewest = Long.MIN_VALUE;
            lastWatermark = Long.MIN_VALUE;
            newestEventState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("newest-event-time", Types.LONG));
            for (Long t : newestEventState.get()) restoredNewest = Math.max(restoredNewest, t);
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            newestEventState.update(List.of(Math.max(restoredNewest, newestEvent.newestKept())));
        }

        @Override
        public void processElement1(StreamRecord<AccountEvent> element) throws Exception {
            if (catchesUp) newestEvent.offer(element.getValue().eventTime, null);
            super.processElement1(element);
        }

        /**
         * The events' event time: the detector keeps the last one short of the end, and the accounts whose held events
         * it passed are released, before the timers it makes due fire.
         */
        @Override
        public void processWatermark(Watermark mark) throws Exception {
            if (mark.getTimestamp() <= lastWatermark) return; // behind a catch-up (below): nothing more is due
            lastWatermark = mark.getTimestamp();
            ChurnDetector detector = (ChurnDetector) userFunction;
            detector.watermarkAdvanced(mark.getTimestamp());
            detector.releaseHeld(mark.getTimestamp(), this, releasing);
            super.processWatermark(mark);
        }

        /** The detector's records while it releases held accounts: to this operator's outputs, timestamped at the release. */
        private transient Releasing releasing;

        private final class Releasing implements ChurnDetector.Releasing {
            private final StreamRecord<RiskAlert> alerts = new StreamRecord<>(null);
            private long timestamp;

            @Override
            public void at(long timestamp) {
                this.timestamp = timestamp;
            }

            @Override
            public void alert(RiskAlert alert) {
                output.collect(alerts.replace(alert, timestamp));
            }

            @Override
            public <X> void side(OutputTag<X> tag, X value) {
                output.collect(tag, new StreamRecord<>(value, timestamp));
            }
        }

        @Override
        public void processWatermark2(Watermark mark) {
            // Rule sets carry no event time.
        }

        @Override
        protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) throws Exception {
            if (inputIndex == RULES_INPUT) return;
            if (status.isIdle() && catchesUp) {
                // Every event input quiet: event time goes to the newest event, as the sources' quiet partitions take it there
                // while they run (where they did, this changes nothing), and after a restore, where they cannot.
                long newest = Math.max(restoredNewest, newestEvent.acceptWaiting());
                if (newest != Long.MIN_VALUE && newest > lastWatermark) processWatermark(new Watermark(newest));
            }
            super.processWatermarkStatus(status, inputIndex);
        }
    }

    /** The rules input of a detection under fixed rules: nothing ever. */
    private static final class NoRuleUpdates implements FlatMapFunction<AccountEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(AccountEvent event, Collector<String> out) {}
    }
}
