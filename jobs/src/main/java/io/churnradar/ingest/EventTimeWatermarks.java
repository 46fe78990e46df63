package io.churnradar.ingest;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

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

    /** Watermarks for events only (dead letters carry no event time), one idleness for every partition. */
    public static WatermarkStrategy<Ingested> forIngested(Duration maxOutOfOrderness, Duration idleness) {
        return forIngested(maxOutOfOrderness, idleness, Map.of());
    }

    /**
     * Watermarks for events only (dead letters carry no event time). A partition without events for
     * its topic's idleness ({@code idlenessByTopic}, else {@code idleness}; zero: never) stops holding
     * event time back until its next event. The topic of a partition is known from its first record
     * when the source is a {@link KafkaEventTimeSource}; until then, and for other sources, the default holds.
     */
    public static WatermarkStrategy<Ingested> forIngested(Duration maxOutOfOrderness, Duration idleness,
            Map<String, Duration> idlenessByTopic) {
        Map<String, Duration> byTopic = Map.copyOf(idlenessByTopic);
        Duration dflt = idleness == null ? Duration.ZERO : idleness;
        return WatermarkStrategy
                .<Ingested>forGenerator(ctx -> new PartitionIdleness(
                        new Filtered(new EventTimeWatermarks<>(maxOutOfOrderness)), dflt, byTopic, ctx.getInputActivityClock()))
                .withTimestampAssigner((i, previous) -> i.event != null ? i.event.eventTime : Long.MIN_VALUE);
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

    /**
     * Idleness as Flink's {@code WatermarksWithIdleness} judges it (checked at each periodic emit, on the
     * input activity clock, which stops while the source is paused), with two differences: the timeout is
     * the one of the partition's topic, learnt from its first record; and only events count as activity,
     * so a partition that delivers nothing but dead letters goes idle like a silent one (dead letters
     * never move event time, and do not hold it back either).
     */
    static final class PartitionIdleness implements WatermarkGenerator<Ingested> {
        private final WatermarkGenerator<Ingested> inner;
        private final Map<String, Duration> byTopic;
        private final RelativeClock clock;
        private long timeoutNanos;
        private boolean topicKnown;
        private boolean eventSinceLastCheck;
        private long quietSinceNanos = -1;
        private boolean idle;

        PartitionIdleness(WatermarkGenerator<Ingested> inner, Duration dflt, Map<String, Duration> byTopic, RelativeClock clock) {
            this.inner = inner;
            this.byTopic = byTopic;
            this.clock = clock;
            this.timeoutNanos = dflt.toNanos();
        }

        @Override
        public void onEvent(Ingested i, long timestamp, WatermarkOutput output) {
            if (!topicKnown) {
                topicKnown = true;
                String topic = KafkaEventTimeSource.topicOfRecordBeingEmitted();
                Duration d = topic == null ? null : byTopic.get(topic);
                if (d != null) timeoutNanos = d.toNanos();
            }
            inner.onEvent(i, timestamp, output);
            if (i.event != null) {
                eventSinceLastCheck = true;
                idle = false;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (eventSinceLastCheck) {
                eventSinceLastCheck = false;
                quietSinceNanos = -1;
            } else if (timeoutNanos > 0) {
                long now = clock.relativeTimeNanos();
                if (quietSinceNanos < 0) {
                    quietSinceNanos = now;
                } else if (now - quietSinceNanos > timeoutNanos) {
                    if (!idle) {
                        output.markIdle();
                        idle = true;
                    }
                    // No repeat of the watermark while idle: it would mark the partition active again.
                    return;
                }
            }
            inner.onPeriodicEmit(output);
        }
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
