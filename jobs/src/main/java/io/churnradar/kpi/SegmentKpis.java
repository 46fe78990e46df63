package io.churnradar.kpi;

import io.churnradar.detect.state.EventTime;
import io.churnradar.retention.RetentionKpi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The retention KPIs of one segment (the key), in event time: each change is added to its UTC day's
 * figures, and when the watermark passes a day's close the day's record is emitted with the segment's
 * accounts and MRR at the start of the day, which then move on by the day's changes. One timer per
 * segment, at the close of its earliest open day; state per segment: the running totals and the days
 * the watermark has not closed yet (a handful: as many as the out-of-orderness spans). A day without
 * a change has no record. A change dated in a day already emitted (a late event) counts in the first
 * day still open, so that every day and segment has one record, as the compacted topic keeps it.
 */
public final class SegmentKpis extends KeyedProcessFunction<String, SegmentChange, RetentionKpi> {
    private static final long serialVersionUID = 1L;
    public static final String TOTALS_STATE = "segment-totals";
    public static final String DAYS_STATE = "segment-open-days";
    /** Metric: changes dated in a day that had closed, counted in the first open day. */
    public static final String LATE_CHANGES = "lateKpiChanges";

    private final KpiSettings settings;
    private transient ValueState<SegmentTotals> totals;
    private transient MapState<Long, DayFigures> days;
    private transient Counter late;

    public SegmentKpis(KpiSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        totals = getRuntimeContext().getState(new ValueStateDescriptor<>(TOTALS_STATE, TypeInformation.of(SegmentTotals.class)));
        days = getRuntimeContext().getMapState(new MapStateDescriptor<>(DAYS_STATE, Types.LONG, TypeInformation.of(DayFigures.class)));
        late = getRuntimeContext().getMetricGroup().counter(LATE_CHANGES);
    }

    @Override
    public void processElement(SegmentChange c, Context ctx, Collector<RetentionKpi> out) throws Exception {
        SegmentTotals t = totals.value();
        if (t == null) t = new SegmentTotals();
        long day = EventTime.dayOf(c.at);
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && day <= EventTime.lastDueDay(watermark)) {
            day = EventTime.lastDueDay(watermark) + 1;
            late.inc();
        }
        DayFigures f = days.get(day);
        days.put(day, (f == null ? new DayFigures() : f).add(c));
        long closeAt = EventTime.closeAt(day);
        if (t.timer == SegmentTotals.NO_TIMER || closeAt < t.timer) {
            if (t.timer != SegmentTotals.NO_TIMER) ctx.timerService().deleteEventTimeTimer(t.timer);
            ctx.timerService().registerEventTimeTimer(closeAt);
            t.timer = closeAt;
        }
        totals.update(t);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RetentionKpi> out) throws Exception {
        SegmentTotals t = totals.value();
        if (t == null) return;
        long watermark = ctx.timerService().currentWatermark();
        List<Long> open = new ArrayList<>();
        for (Long d : days.keys()) open.add(d);
        Collections.sort(open);
        long next = SegmentTotals.NO_TIMER;
        for (long d : open) {
            // At the end of a bounded input (the watermark at its maximum) every open day is complete.
            if (EventTime.closeAt(d) > watermark) {
                next = EventTime.closeAt(d);
                break;
            }
            DayFigures f = days.get(d);
            out.collect(f.toRecord(d, ctx.getCurrentKey(), t.accounts, t.mrrMinor, settings.topReasons));
            t.accounts += f.accounts;
            t.mrrMinor += f.mrrMinor;
            days.remove(d);
        }
        t.timer = next;
        if (next != SegmentTotals.NO_TIMER) ctx.timerService().registerEventTimeTimer(next);
        if (next == SegmentTotals.NO_TIMER && t.accounts == 0 && t.mrrMinor == 0) {
            totals.clear(); // an emptied segment (a retired plan, say) keeps no state
        } else {
            totals.update(t);
        }
    }
}
