package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per-account churn detection, keyed by account id: de-duplicates events by id, runs the
 * {@link SignalEngine} on each event and on the passing of event time, and keeps exactly one
 * event-time timer per account. Shared by the streaming job and the backtest.
 */
public class ChurnDetector extends KeyedProcessFunction<String, AccountEvent, RiskAlert> {
    private static final long serialVersionUID = 1L;

    public static final String UID = "churn-detector";
    public static final String ACCOUNT_STATE = "account";
    public static final String SEEN_EVENT_IDS = "seen-event-ids";
    public static final String ACCEPTED = "eventsAccepted";
    public static final String DUPLICATES = "duplicates";
    public static final String LATE = "lateEvents";
    /** Health updates of the accounts. */
    public static final OutputTag<AccountHealth> HEALTH = new OutputTag<>("account-health", TypeInformation.of(AccountHealth.class));

    private final SignalEngine engine;
    private final Duration stateTtl;

    private transient ValueState<AccountState> account;
    private transient MapState<String, Long> seenEventIds;
    private transient Counter acceptedMetric;
    private transient Counter duplicateMetric;
    private transient Counter lateMetric;
    private transient LongCounter acceptedCount;
    private transient LongCounter duplicateCount;
    private transient LongCounter lateCount;

    /**
     * @param stateTtl how long an account that stops sending events is remembered (processing
     *     time), or null to keep it for ever
     */
    public ChurnDetector(Rules rules, Duration stateTtl) {
        this.engine = new SignalEngine(rules);
        this.stateTtl = stateTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AccountState> accountDesc = new ValueStateDescriptor<>(ACCOUNT_STATE, AccountState.class);
        MapStateDescriptor<String, Long> seenDesc = new MapStateDescriptor<>(SEEN_EVENT_IDS, String.class, Long.class);
        if (stateTtl != null) {
            StateTtlConfig ttl = StateTtlConfig.newBuilder(stateTtl).build();
            accountDesc.enableTimeToLive(ttl);
            seenDesc.enableTimeToLive(ttl);
        }
        account = getRuntimeContext().getState(accountDesc);
        seenEventIds = getRuntimeContext().getMapState(seenDesc);

        var metrics = getRuntimeContext().getMetricGroup();
        acceptedMetric = metrics.counter(ACCEPTED);
        duplicateMetric = metrics.counter(DUPLICATES);
        lateMetric = metrics.counter(LATE);
        acceptedCount = counter(ACCEPTED);
        duplicateCount = counter(DUPLICATES);
        lateCount = counter(LATE);
    }

    private LongCounter counter(String name) {
        LongCounter c = new LongCounter();
        getRuntimeContext().addAccumulator(name, c);
        return c;
    }

    @Override
    public void processElement(AccountEvent e, Context ctx, Collector<RiskAlert> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        AccountState s = account.value();
        if (s == null) s = new AccountState();
        if (isDuplicate(e, s)) {
            duplicateMetric.inc();
            duplicateCount.add(1);
            return;
        }
        acceptedMetric.inc();
        acceptedCount.add(1);
        if (e.eventTime <= watermark) {
            lateMetric.inc();
            lateCount.add(1);
        }
        engine.onEvent(ctx.getCurrentKey(), s, e, watermark == Long.MIN_VALUE ? NONE : watermark, output(ctx, out));
        if (watermark != Long.MIN_VALUE) pruneEventIds(s, watermark); // also for accounts that never need a timer
        reschedule(s, ctx.timerService());
        account.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskAlert> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (watermark == Long.MAX_VALUE) {
            // End of a bounded input: nothing may be detected later than the newest data.
            return;
        }
        AccountState s = account.value();
        if (s == null) return;
        s.pendingTimer = NONE; // this one has fired
        engine.onTime(ctx.getCurrentKey(), s, watermark, output(ctx, out));
        pruneEventIds(s, watermark);
        reschedule(s, ctx.timerService());
        account.update(s);
    }

    /** Alerts to the main output, health updates to the {@link #HEALTH} side output. */
    private static DetectionOutput output(Context ctx, Collector<RiskAlert> out) {
        return new DetectionOutput() {
            @Override
            public void accept(RiskAlert alert) {
                out.collect(alert);
            }

            @Override
            public void health(AccountHealth health) {
                ctx.output(HEALTH, health);
            }
        };
    }

    /** An id seen for this account within the de-duplication window (event time) is a duplicate. */
    private boolean isDuplicate(AccountEvent e, AccountState s) throws Exception {
        Long seenAt = seenEventIds.get(e.eventId);
        long window = engine.rules().dedupWindowDays * SignalEngine.DAY_MS;
        if (seenAt != null && Math.abs(e.eventTime - seenAt) <= window) {
            return true;
        }
        seenEventIds.put(e.eventId, e.eventTime);
        s.oldestEventIdAt = s.oldestEventIdAt == NONE ? e.eventTime : Math.min(s.oldestEventIdAt, e.eventTime);
        return false;
    }

    /** Forgets the ids that fell out of the window; reads them only when the oldest one has. */
    private void pruneEventIds(AccountState s, long watermark) throws Exception {
        long cutoff = watermark - engine.rules().dedupWindowDays * SignalEngine.DAY_MS;
        if (s.oldestEventIdAt != NONE && s.oldestEventIdAt < cutoff) {
            s.oldestEventIdAt = forgetEventIdsBefore(cutoff);
        }
    }

    /** @return the oldest event time among the ids kept, or NONE */
    private long forgetEventIdsBefore(long cutoff) throws Exception {
        long oldest = NONE;
        for (Iterator<Map.Entry<String, Long>> it = seenEventIds.iterator(); it.hasNext(); ) {
            long seen = it.next().getValue();
            if (seen < cutoff) it.remove();
            else if (oldest == NONE || seen < oldest) oldest = seen;
        }
        return oldest;
    }

    private void reschedule(AccountState s, org.apache.flink.streaming.api.TimerService timers) {
        long want = engine.nextWakeup(s);
        if (want == s.pendingTimer) return;
        if (s.pendingTimer != NONE) timers.deleteEventTimeTimer(s.pendingTimer);
        if (want != NONE) timers.registerEventTimeTimer(want);
        s.pendingTimer = want;
    }
}
