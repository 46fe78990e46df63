package io.churnradar.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Bounded out-of-orderness watermarks emitted on each event that advances them, never on a
 * wall-clock interval, so which events count as late follows from the data alone: a replay of the
 * same input, at any speed, makes the same decisions. They trail the newest event time that more than one
 * event vouches for ({@link NewestEventTime}), so that one record dated far ahead cannot move event time.
 */
public final class EventTimeWatermarks<T> implements WatermarkGenerator<T> {
    private final long bound;
    /** The wall clock of a live source (an event dated about now needs no other to vouch for it), or null. */
    private final LongSupplier wallClock;
    private final NewestEventTime newest = new NewestEventTime();
    private long emitted = Long.MIN_VALUE;

    EventTimeWatermarks(Duration bound) {
        this(bound, null);
    }

    EventTimeWatermarks(Duration bound, LongSupplier wallClock) {
        this.bound = bound.toMillis();
        this.wallClock = wallClock;
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
        return forIngested(maxOutOfOrderness, idleness, idlenessByTopic, Duration.ZERO);
    }

    /**
     * The same, and a Kafka partition that wakes (its first record after it was idle, or after it was taken for
     * empty at assignment) with an event dated more than {@code backlogGrace} behind the wall clock holds event
     * time at that event for {@code backlogGrace} (zero: never): see {@link PartitionIdleness}.
     */
    public static WatermarkStrategy<Ingested> forIngested(Duration maxOutOfOrderness, Duration idleness,
            Map<String, Duration> idlenessByTopic, Duration backlogGrace) {
        Map<String, Duration> byTopic = Map.copyOf(idlenessByTopic);
        Duration dflt = idleness == null ? Duration.ZERO : idleness;
        Duration grace = backlogGrace == null ? Duration.ZERO : backlogGrace;
        return WatermarkStrategy
                .<Ingested>forGenerator(ctx -> new PartitionIdleness(
                        Filtered.ofIngested(new EventTimeWatermarks<>(maxOutOfOrderness, System::currentTimeMillis)),
                        dflt, byTopic, grace, ctx.getInputActivityClock(), System::currentTimeMillis))
                .withTimestampAssigner((i, previous) -> eventTimeOf(i));
    }

    /** The event time of what a source read: its event's, or MIN for a dead letter (which carries none). */
    public static long eventTimeOf(Ingested i) {
        return i.event != null ? i.event.eventTime : Long.MIN_VALUE;
    }

    /** The generator alone, for an operator that makes its input's event time itself (the backtest's sort). */
    public static <T> WatermarkGenerator<T> generator(Duration maxOutOfOrderness) {
        return new EventTimeWatermarks<>(maxOutOfOrderness);
    }

    /** The generator for a record that may carry an event: what is not one ({@code isEvent} false) leaves event time alone. */
    public static <T> WatermarkGenerator<T> generatorOfEvents(Duration maxOutOfOrderness, Predicate<T> isEvent) {
        return new Filtered<>(new EventTimeWatermarks<>(maxOutOfOrderness), isEvent);
    }

    public static WatermarkStrategy<AccountEvent> forEvents(Duration maxOutOfOrderness) {
        return WatermarkStrategy
                .<AccountEvent>forGenerator(ctx -> new EventTimeWatermarks<>(maxOutOfOrderness))
                .withTimestampAssigner((e, previous) -> e.eventTime);
    }

    /** The watermark once the newest event read is at {@code newest}: everything up to the bound behind it may still come. */
    public static long trailing(long newest, Duration maxOutOfOrderness) {
        return trailing(newest, maxOutOfOrderness.toMillis());
    }

    private static long trailing(long newest, long boundMs) {
        return newest - boundMs - 1;
    }

    @Override
    public void onEvent(T event, long timestamp, WatermarkOutput output) {
        long vouched = newest.offer(timestamp, wallClock);
        if (vouched == Long.MIN_VALUE) return;
        long wm = trailing(vouched, bound);
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
     * Passes the newest event read, not the bound behind it: for a partition quiet for its idleness
     * ({@link PartitionIdleness}), which has shown that nothing more up to its newest event is coming.
     */
    void passNewest(WatermarkOutput output) {
        long vouched = newest.acceptWaiting();
        if (vouched == Long.MIN_VALUE || vouched <= emitted) return;
        emitted = vouched;
        output.emitWatermark(new Watermark(emitted));
    }

    /**
     * Idleness as Flink's {@code WatermarksWithIdleness} judges it (checked at each periodic emit, on the
     * input activity clock, which stops while the source is paused), with three differences: the timeout is
     * the one of the partition's topic, learnt from its first record; only events count as activity, so a
     * partition that delivers nothing but dead letters goes idle like a silent one (dead letters never move
     * event time, and do not hold it back either); and the backlog grace below.
     *
     * <p><b>Backlog grace.</b> An idle partition is left out of event time, so the first records of a partition
     * that wakes are late if the partitions awake meanwhile moved event time past them. For live records (dated
     * about now) that cannot happen within the out-of-orderness bound. It does when a backlog is written at once
     * into idle partitions (topics empty when the job started, then filled by a backfill or by producers
     * switched over together): each partition wakes a moment after the others, and in that moment the awake
     * ones are read days ahead. So a Kafka partition that wakes with an event dated more than the grace behind
     * the wall clock holds event time where it was for the grace (on the activity clock): it repeats the last
     * watermark it passed on, or, never read before, the earliest event time an event may have (2000-01-01), which
     * is no later than any other partition's events, so an operator downstream waits for every input of the
     * backlog, whatever its first event; the partitions of the same backlog wake within the grace and join event
     * time before it moves on. Holding it at its own first event would not do: another partition's backlog may
     * start earlier, and would be late. Holding event time back only
     * delays what it decides, never changes it; and the wall clock only chooses whether to wait, so a replay
     * at any speed decides the same. Live records are never held: their alerts keep their latency.
     */
    static final class PartitionIdleness implements WatermarkGenerator<Ingested> {
        private final Filtered<Ingested> inner;
        private final Map<String, Duration> byTopic;
        private final RelativeClock clock;
        private final LongSupplier wallClockMillis;
        private final long graceNanos;
        private long timeoutNanos;
        private boolean topicKnown;
        /** A partition of the Kafka source: only those wake from idleness with a backlog. */
        private boolean kafka;
        /** Idle (taken for empty at assignment, or quiet for the timeout) and no event since. */
        private boolean idle;
        private boolean eventSinceLastCheck;
        private long quietSinceNanos = -1;
        /** While the grace runs: until when (activity clock). */
        private long graceUntilNanos = -1;
        /** The last watermark passed on (none yet: MIN); while the grace runs, the one repeated. */
        private long lastEmitted = Long.MIN_VALUE;
        private long held = Long.MIN_VALUE;
        private final Holding holding = new Holding();

        PartitionIdleness(Filtered<Ingested> inner, Duration dflt, Map<String, Duration> byTopic, Duration grace,
                RelativeClock clock, LongSupplier wallClockMillis) {
            this.inner = inner;
            this.byTopic = byTopic;
            this.clock = clock;
            this.wallClockMillis = wallClockMillis;
            this.graceNanos = grace.toNanos();
            this.timeoutNanos = dflt.toNanos();
        }

        @Override
        public void onEvent(Ingested i, long timestamp, WatermarkOutput output) {
            if (!topicKnown) {
                topicKnown = true;
                KafkaEventTimeSource.PartitionStart start = KafkaEventTimeSource.partitionOfFirstRecordBeingEmitted();
                if (start != null) {
                    kafka = true;
                    idle |= start.idleBefore();
                    Duration d = byTopic.get(start.topic());
                    if (d != null) timeoutNanos = d.toNanos();
                }
            }
            if (i.event != null) {
                if (idle && kafka && graceNanos > 0 && wallClockMillis.getAsLong() - timestamp > graceNanos / 1_000_000) {
                    graceUntilNanos = clock.relativeTimeNanos() + graceNanos;
                    held = lastEmitted == Long.MIN_VALUE ? EventValidator.MIN_TIME - 1 : lastEmitted;
                    // Active again, holding: an idle output would not hold anything back.
                    output.emitWatermark(new Watermark(held));
                }
                eventSinceLastCheck = true;
                idle = false;
            }
            inner.onEvent(i, timestamp, holding.around(output));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (graceUntilNanos >= 0 && clock.relativeTimeNanos() >= graceUntilNanos) graceUntilNanos = -1;
            if (graceUntilNanos >= 0) {
                // A partition holding event time does not go idle within the grace (the idleness may be the shorter):
                // idle, it would never pass on the watermark it holds back, and event time would stay at the hold.
                eventSinceLastCheck = false;
                quietSinceNanos = -1;
                inner.onPeriodicEmit(holding.around(output));
                return;
            }
            if (eventSinceLastCheck) {
                eventSinceLastCheck = false;
                quietSinceNanos = -1;
            } else if (timeoutNanos > 0) {
                long now = clock.relativeTimeNanos();
                if (quietSinceNanos < 0) {
                    quietSinceNanos = now;
                } else if (now - quietSinceNanos > timeoutNanos) {
                    if (!idle) {
                        // Quiet for its idleness, the partition has shown that its events up to its newest are all in:
                        // a record dated within the bound behind the newest would have had to take the idleness to
                        // come, later than the bound allows on a busy partition. So it passes its newest before it
                        // stops counting, and the last events before a lull apply (and what they prove is decided)
                        // instead of waiting, held by the bound, for the next event however long that takes.
                        inner.passNewest(holding.around(output));
                        output.markIdle();
                        idle = true;
                    }
                    // No repeat of the watermark while idle: it would mark the partition active again.
                    return;
                }
            }
            inner.onPeriodicEmit(holding.around(output));
        }

        /** Passes watermarks on, remembering the last; while the grace runs, the held one instead. */
        private final class Holding implements WatermarkOutput {
            private WatermarkOutput out;

            WatermarkOutput around(WatermarkOutput output) {
                out = output;
                return this;
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                if (graceUntilNanos >= 0) {
                    out.emitWatermark(new Watermark(held));
                } else {
                    lastEmitted = watermark.getTimestamp();
                    out.emitWatermark(watermark);
                }
            }

            @Override
            public void markIdle() {
                out.markIdle();
            }

            @Override
            public void markActive() {
                out.markActive();
            }
        }
    }

    /** Lets what is not an event (a dead letter, a count) pass without moving event time. */
    static final class Filtered<T> implements WatermarkGenerator<T> {
        private final EventTimeWatermarks<T> inner;
        private final Predicate<T> isEvent;

        Filtered(EventTimeWatermarks<T> inner, Predicate<T> isEvent) {
            this.inner = inner;
            this.isEvent = isEvent;
        }

        static Filtered<Ingested> ofIngested(EventTimeWatermarks<Ingested> inner) {
            return new Filtered<>(inner, i -> i.event != null);
        }

        @Override
        public void onEvent(T record, long timestamp, WatermarkOutput output) {
            if (isEvent.test(record)) inner.onEvent(record, timestamp, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            inner.onPeriodicEmit(output);
        }

        void passNewest(WatermarkOutput output) {
            inner.passNewest(output);
        }
    }
}
