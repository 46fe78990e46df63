package io.churnradar.ingest;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Bounded out-of-orderness watermarks emitted on each event that advances them, never on a
 * wall-clock interval, so which events count as late follows from the data alone: a replay of the
 * same input, at any speed, makes the same decisions.
 */
public final class EventTimeWatermarks<T> implements WatermarkGenerator<T> {
    private final long bound;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    private EventTimeWatermarks(Duration bound) {
        this.bound = bound.toMillis();
    }

    /** Watermarks for events only (dead letters carry no event time). */
    public static WatermarkStrategy<Ingested> forIngested(Duration maxOutOfOrderness, Duration idleness) {
        WatermarkStrategy<Ingested> s = WatermarkStrategy
                .<Ingested>forGenerator(ctx -> new Filtered(new EventTimeWatermarks<>(maxOutOfOrderness)))
                .withTimestampAssigner((i, previous) -> i.event != null ? i.event.eventTime : Long.MIN_VALUE);
        return idleness == null || idleness.isZero() ? s : s.withIdleness(idleness);
    }

    public static WatermarkStrategy<AccountEvent> forEvents(Duration maxOutOfOrderness) {
        return WatermarkStrategy
                .<AccountEvent>forGenerator(ctx -> new EventTimeWatermarks<>(maxOutOfOrderness))
                .withTimestampAssigner((e, previous) -> e.eventTime);
    }

    @Override
    public void onEvent(T event, long timestamp, WatermarkOutput output) {
        if (timestamp <= maxTimestamp) return;
        maxTimestamp = timestamp;
        long wm = maxTimestamp - bound - 1;
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        // Advanced per event only; repeating the current value lets an idle input become active again.
        if (emitted != Long.MIN_VALUE) output.emitWatermark(new Watermark(emitted));
    }

    /** Lets dead letters pass without moving event time. */
    private static final class Filtered implements WatermarkGenerator<Ingested> {
        private final EventTimeWatermarks<Ingested> inner;

        Filtered(EventTimeWatermarks<Ingested> inner) {
            this.inner = inner;
        }

        @Override
        public void onEvent(Ingested i, long timestamp, WatermarkOutput output) {
            if (i.event != null) inner.onEvent(i, timestamp, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            inner.onPeriodicEmit(output);
        }
    }
}
