package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * The watermark of one partition around the backlog grace ({@link EventTimeWatermarks.PartitionIdleness}): a Kafka
 * partition that wakes with events dated well behind the wall clock holds event time where it was for the grace,
 * on the input activity clock (a partition never read before: before any event may be); a live partition, one
 * that had records at assignment, and a partition of another source never wait.
 */
class BacklogGraceTest {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration IDLENESS = Duration.ofMinutes(1);
    private static final long NOW = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();
    private static final long DAY = 86_400_000L;
    /** A backlog's events, an hour apart: events more than a day apart would be leaps, which others must join (NewestEventTime). */
    private static final long HOUR = 3_600_000L;
    /** The hold of a partition never read before: just before the earliest event time an event may have. */
    private static final long FLOOR = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli() - 1;

    /** The activity clock, moved by the test. */
    private final ManualClock clock = new ManualClock();
    private final Recorded out = new Recorded();
    private final EventTimeWatermarks.PartitionIdleness partition = new EventTimeWatermarks.PartitionIdleness(
            EventTimeWatermarks.Filtered.ofIngested(new EventTimeWatermarks<>(BOUND)), IDLENESS, Map.of(), GRACE, clock, () -> NOW);

    @Test
    void aPartitionTakenForEmptyThatWakesWithABacklogHoldsEventTimeForTheGrace() {
        long first = NOW - 30 * DAY;
        firstEvent(new KafkaEventTimeSource.PartitionStart("events.payment", true), first);
        assertThat(out.idle).as("active, so that it holds").isFalse();
        assertThat(out.last()).as("no later than any partition's first event").isEqualTo(FLOOR);
        // The rest of the backlog is read at once: days ahead, but event time does not move.
        event(first + 2 * HOUR);
        event(first + 5 * HOUR);
        periodic();
        assertThat(out.last()).isEqualTo(FLOOR);
        clock.advanceTime(GRACE.minusNanos(1));
        periodic();
        assertThat(out.last()).as("still within the grace").isEqualTo(FLOOR);
        clock.advanceTime(Duration.ofNanos(1));
        periodic();
        assertThat(out.last()).as("the grace over, the partition's own watermark").isEqualTo(watermarkOf(first + 5 * HOUR));
        event(first + 6 * HOUR);
        assertThat(out.last()).isEqualTo(watermarkOf(first + 6 * HOUR));
    }

    @Test
    void aQuietPartitionPassesOnWhatItHeldWhenTheGraceEndsEvenIfItsIdlenessIsShorter() {
        EventTimeWatermarks.PartitionIdleness quick = new EventTimeWatermarks.PartitionIdleness(
                EventTimeWatermarks.Filtered.ofIngested(new EventTimeWatermarks<>(BOUND)), Duration.ofSeconds(1), Map.of(), GRACE,
                clock, () -> NOW);
        long first = NOW - 30 * DAY;
        KafkaEventTimeSource.emitFirst(new KafkaEventTimeSource.PartitionStart("events.login", true),
                () -> quick.onEvent(Ingested.event(event(first, "first")), first, out));
        quick.onEvent(Ingested.event(event(first + 12 * HOUR, "later")), first + 12 * HOUR, out);
        // Quiet for longer than its idleness, but within the grace: it holds, and does not go idle.
        for (int i = 0; i < 4; i++) {
            clock.advanceTime(Duration.ofSeconds(1));
            quick.onPeriodicEmit(out);
        }
        assertThat(out.idle).isFalse();
        assertThat(out.last()).isEqualTo(FLOOR);
        clock.advanceTime(Duration.ofSeconds(1));
        quick.onPeriodicEmit(out);
        assertThat(out.last()).as("the grace over, the held watermark is released").isEqualTo(watermarkOf(first + 12 * HOUR));
        for (int i = 0; i < 3; i++) {
            clock.advanceTime(Duration.ofSeconds(1));
            quick.onPeriodicEmit(out);
        }
        assertThat(out.idle).as("then idle as usual").isTrue();
        assertThat(out.last()).as("having passed its newest event").isEqualTo(first + 12 * HOUR);
    }

    @Test
    void liveRecordsArePassedOnAtOnce() {
        firstEvent(new KafkaEventTimeSource.PartitionStart("events.payment", true), NOW - 1_000);
        event(NOW - 500);
        assertThat(out.last()).isEqualTo(watermarkOf(NOW - 500));
    }

    @Test
    void aPartitionThatHadRecordsAtAssignmentDoesNotWait() {
        long first = NOW - 30 * DAY;
        firstEvent(new KafkaEventTimeSource.PartitionStart("events.login", false), first);
        event(first + HOUR);
        assertThat(out.last()).isEqualTo(watermarkOf(first + HOUR));
    }

    @Test
    void aPartitionThatWentQuietAndWakesWithABacklogHoldsToo() {
        long first = NOW - 30 * DAY;
        firstEvent(new KafkaEventTimeSource.PartitionStart("events.login", false), first);
        // Quiet for longer than the idleness, as the periodic checks see it: idle.
        periodic();
        periodic();
        clock.advanceTime(IDLENESS.plusNanos(1));
        periodic();
        assertThat(out.idle).isTrue();
        event(first + HOUR);
        event(first + 3 * HOUR);
        assertThat(out.idle).isFalse();
        assertThat(out.last()).as("where it was when it went quiet: its newest event").isEqualTo(first);
        clock.advanceTime(GRACE);
        periodic();
        assertThat(out.last()).isEqualTo(watermarkOf(first + 3 * HOUR));
    }

    /**
     * A live partition quiet for its idleness passes its newest event, not the bound behind it, before it stops counting:
     * the events held within the bound apply without waiting for a next event. Only at the idleness, not before.
     */
    @Test
    void aPartitionQuietForItsIdlenessPassesItsNewestEventBeforeItStopsCounting() {
        firstEvent(new KafkaEventTimeSource.PartitionStart("events.payment", false), NOW - 2_000);
        event(NOW - 1_000);
        event(NOW - 3_000); // within the bound, behind the newest
        assertThat(out.last()).isEqualTo(watermarkOf(NOW - 1_000));
        periodic(); // sees the events
        periodic(); // the first check that sees none: quiet from here
        clock.advanceTime(IDLENESS);
        periodic();
        assertThat(out.idle).isFalse();
        assertThat(out.last()).as("within its idleness, the bound holds").isEqualTo(watermarkOf(NOW - 1_000));
        clock.advanceTime(Duration.ofNanos(1));
        periodic();
        assertThat(out.last()).as("quiet for its idleness: its newest event").isEqualTo(NOW - 1_000);
        assertThat(out.idle).isTrue();
        // Its next event, a second later than the newest: on time, and event time goes on from there.
        event(NOW);
        periodic();
        assertThat(out.idle).as("active again at the next periodic emit").isFalse();
        assertThat(out.last()).isEqualTo(NOW - 1_000);
        event(NOW + 10_000);
        assertThat(out.last()).isEqualTo(watermarkOf(NOW + 10_000));
    }

    @Test
    void aPartitionOfAnotherSourceNeverWaits() {
        long first = NOW - 30 * DAY;
        partition.onEvent(Ingested.event(event(first, "e-0")), first, out);
        partition.onEvent(Ingested.event(event(first + HOUR, "e-1")), first + HOUR, out);
        assertThat(out.last()).isEqualTo(watermarkOf(first + HOUR));
    }

    private void firstEvent(KafkaEventTimeSource.PartitionStart start, long t) {
        KafkaEventTimeSource.emitFirst(start, () -> partition.onEvent(Ingested.event(event(t, "first")), t, out));
    }

    private void event(long t) {
        partition.onEvent(Ingested.event(event(t, "e-" + t)), t, out);
    }

    private void periodic() {
        partition.onPeriodicEmit(out);
    }

    private static long watermarkOf(long eventTime) {
        return eventTime - BOUND.toMillis() - 1;
    }

    private static AccountEvent event(long t, String id) {
        AccountEvent e = new AccountEvent();
        e.type = EventType.LOGIN;
        e.eventId = id;
        e.accountId = "acct-1";
        e.eventTime = t;
        return e;
    }

    /** The watermarks and idleness the partition reported, as Flink's per-split output would receive them. */
    private static final class Recorded implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
