package io.churnradar.topology;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.detect.AccountState;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.DayClose;
import io.churnradar.detect.state.EventTime;
import io.churnradar.detect.state.FeatureUsage;
import io.churnradar.propensity.ChurnFeatures;
import io.churnradar.propensity.FeatureRow;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The propensity feature rows of a training run: one row per live account and day, from the detector's
 * day closes. The detector closes a day only when one of its rules needs it; for the days between, this
 * operator keeps a copy of the account's state at its latest close and makes the row from it at each
 * midnight of event time (an event-time timer), so that every day has its row. An account stops getting
 * rows once it has been silent (no login, usage or payment) for longer than the horizon, or has churned
 * (CANCELED), and at the end of the input (no row past the newest data).
 */
public final class DailyFeatureRows extends KeyedProcessFunction<String, DayClose, FeatureRow> {
    private static final long serialVersionUID = 1L;
    public static final String UID = "daily-feature-rows";

    private final long horizonMs;
    private transient ValueState<AccountState> last;
    private transient ValueState<Long> lastRowDay;
    private transient TypeSerializer<AccountState> copier;

    DailyFeatureRows(Duration horizon) {
        this.horizonMs = horizon.toMillis();
    }

    /** The rows of every live account and day, from the detector's day closes. */
    public static SingleOutputStreamOperator<FeatureRow> of(DataStream<DayClose> closes, Duration horizon) {
        return closes.keyBy(c -> c.accountId, Types.STRING)
                .process(new DailyFeatureRows(horizon), TypeInformation.of(FeatureRow.class))
                .uid(UID)
                .name("Daily feature rows");
    }

    /** The detector's day closes of {@code alerts} (the detector's operator). */
    public static DataStream<DayClose> closesOf(SingleOutputStreamOperator<?> detector) {
        return detector.getSideOutput(ChurnDetector.DAY_CLOSES);
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<AccountState> type = TypeInformation.of(AccountState.class);
        last = getRuntimeContext().getState(new ValueStateDescriptor<>("last-close", type));
        lastRowDay = getRuntimeContext().getState(new ValueStateDescriptor<>("last-row-day", Types.LONG));
        copier = getRuntimeContext().createSerializer(type);
    }

    @Override
    public void processElement(DayClose close, Context ctx, Collector<FeatureRow> out) throws Exception {
        // A copy: the detector hands over its live state, and the backtest reuses objects.
        AccountState s = copier.copy(close.state);
        last.update(s);
        Long done = lastRowDay.value();
        if (done != null && close.day <= done) return; // that day has its row
        row(ctx.getCurrentKey(), s, close.day, ctx.timerService(), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeatureRow> out) throws Exception {
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) return; // the end of the input: no day past the data
        long day = EventTime.dayOf(timestamp) - 1;
        Long done = lastRowDay.value();
        AccountState s = last.value();
        if (s == null || (done != null && day <= done)) return;
        row(ctx.getCurrentKey(), s, day, ctx.timerService(), out);
    }

    private void row(String accountId, AccountState s, long day, org.apache.flink.streaming.api.TimerService timers,
            Collector<FeatureRow> out) throws Exception {
        lastRowDay.update(day);
        long closeAt = EventTime.closeAt(day);
        if (!live(s, closeAt)) return;
        out.collect(new FeatureRow(accountId, day, ChurnFeatures.extract(s, closeAt)));
        timers.registerEventTimeTimer(EventTime.closeAt(day + 1));
    }

    private boolean live(AccountState s, long closeAt) {
        if (s.subscription != null && s.subscription.churnedAt != NONE && s.subscription.churnedAt <= closeAt) return false;
        long active = Math.max(Math.max(s.lastLoginAt, FeatureUsage.latestUse(s)),
                Math.max(s.lastPaymentSuccessAt, s.lastPaymentFailureAt));
        if (active == NONE) active = s.firstEventTime();
        return active == NONE || closeAt - active <= horizonMs;
    }
}
