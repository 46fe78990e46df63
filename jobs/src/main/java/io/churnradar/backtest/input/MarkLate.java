package io.churnradar.backtest.input;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Marks the events of one input that are at or behind that input's watermark, with the watermark: late
 * against the input they came from, as the backtest has always judged them. Where the inputs meet,
 * event time is the slowest input's, and an event late in its own input may not be late there; the mark
 * lets {@link EventTimeMerge} hand it on as late, the same in every run. Chained directly behind the
 * input's source, which makes a watermark per event: it sees the watermark before each event.
 */
final class MarkLate extends ProcessFunction<InputRecord, InputRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(InputRecord r, Context ctx, Collector<InputRecord> out) {
        long watermark = ctx.timerService().currentWatermark();
        if (r.event != null && r.event.eventTime <= watermark) r.lateAgainst = watermark;
        out.collect(r);
    }
}
