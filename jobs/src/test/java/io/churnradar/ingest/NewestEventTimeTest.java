package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The newest event time of a partition that more than one event vouches for: one record dated far ahead (or a few,
 * apart) never moves it; a real gap is crossed by the events after it; a live event needs no other.
 */
class NewestEventTimeTest {
    private static final long T = Instant.parse("2026-10-23T09:00:00Z").toEpochMilli();
    private static final long MIN = 60_000;
    private static final long DAY = 86_400_000L;
    private static final java.util.function.LongSupplier NO_CLOCK = null;

    @Test
    void eventsWithinTwoDaysMoveItAsTheyCome() {
        NewestEventTime n = new NewestEventTime();
        assertThat(n.offer(T, NO_CLOCK)).as("the first event counts as it is").isEqualTo(T);
        assertThat(n.offer(T + MIN, NO_CLOCK)).isEqualTo(T + MIN);
        assertThat(n.offer(T - 5 * MIN, NO_CLOCK)).as("an older one changes nothing").isEqualTo(T + MIN);
        assertThat(n.offer(T + DAY, NO_CLOCK)).isEqualTo(T + DAY);
        assertThat(n.offer(T + 3 * DAY, NO_CLOCK)).as("two days on: no leap").isEqualTo(T + 3 * DAY);
        assertThat(n.offer(T + 5 * DAY + 1, NO_CLOCK)).as("a millisecond more: a leap").isEqualTo(T + 3 * DAY);
        assertThat(n.newestKept()).isEqualTo(T + 5 * DAY + 1);
    }

    @Test
    void oneEventFarAheadNeverMovesItAndIsForgotten() {
        NewestEventTime n = new NewestEventTime();
        n.offer(T, NO_CLOCK);
        assertThat(n.offer(T + 30 * DAY, NO_CLOCK)).as("a leap alone").isEqualTo(T);
        assertThat(n.newestKept()).as("still waiting: at an end it would count").isEqualTo(T + 30 * DAY);
        long t = T;
        for (int i = 0; i < NewestEventTime.FORGET_AFTER; i++) assertThat(n.offer(t += MIN, NO_CLOCK)).isEqualTo(t);
        assertThat(n.newestKept()).as("forgotten after the events that did not join it").isEqualTo(t);
        // Forgotten: two more leaps of that date are two, not three.
        n.offer(T + 30 * DAY, NO_CLOCK);
        assertThat(n.offer(T + 30 * DAY + MIN, NO_CLOCK)).isEqualTo(t);
    }

    @Test
    void aRealGapIsCrossedByTheThirdEventAfterIt() {
        NewestEventTime n = new NewestEventTime();
        n.offer(T, NO_CLOCK);
        assertThat(n.offer(T + 5 * DAY, NO_CLOCK)).isEqualTo(T);
        assertThat(n.offer(T + 5 * DAY + 2 * MIN, NO_CLOCK)).isEqualTo(T);
        assertThat(n.offer(T + 5 * DAY + MIN, NO_CLOCK)).as("three agree: the middle one, then the rest within two days of it")
                .isEqualTo(T + 5 * DAY + 2 * MIN);
        assertThat(n.offer(T + 5 * DAY + 3 * MIN, NO_CLOCK)).isEqualTo(T + 5 * DAY + 3 * MIN);
    }

    @Test
    void amongTheLeapsNeitherOneFarAheadNorOneBehindDecides() {
        NewestEventTime n = new NewestEventTime();
        n.offer(T, NO_CLOCK);
        n.offer(T + 3000 * DAY, NO_CLOCK); // a date years ahead
        n.offer(T + 10 * DAY, NO_CLOCK);
        assertThat(n.offer(T + 10 * DAY + MIN, NO_CLOCK)).as("the middle of three: the real gap's").isEqualTo(T + 10 * DAY + MIN);
        assertThat(n.offer(T + 10 * DAY + 2 * MIN, NO_CLOCK)).isEqualTo(T + 10 * DAY + 2 * MIN);
    }

    @Test
    void aQuietPartitionsWaitingLeapCountsAsAtTheEnd() {
        NewestEventTime n = new NewestEventTime();
        n.offer(T, NO_CLOCK);
        assertThat(n.offer(T + 12 * DAY, NO_CLOCK)).isEqualTo(T);
        assertThat(n.acceptWaiting()).as("nothing more can join it for now").isEqualTo(T + 12 * DAY);
        assertThat(n.offer(T + 12 * DAY + MIN, NO_CLOCK)).isEqualTo(T + 12 * DAY + MIN);
    }

    @Test
    void aLiveEventNeedsNoOther() {
        NewestEventTime n = new NewestEventTime();
        long now = T + 40 * DAY;
        n.offer(T, () -> now);
        assertThat(n.offer(now - 5_000, () -> now)).as("dated about now: the wall clock vouches for it").isEqualTo(now - 5_000);
        NewestEventTime replay = new NewestEventTime();
        replay.offer(T, () -> now);
        assertThat(replay.offer(T + 20 * DAY, () -> now)).as("a history read from a topic: a leap as in a file").isEqualTo(T);
    }
}
