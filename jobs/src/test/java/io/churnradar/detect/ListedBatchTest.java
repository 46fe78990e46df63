package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A batch of the de-duplication list gives back every hash and time it was made of, packed or in pairs. */
class ListedBatchTest {
    private static final long DAY = SignalEngine.DAY_MS;
    private static final long T = 1_767_225_600_000L; // 2026-01-01

    @Test
    void randomBatchesGiveBackEveryHashAndTimeExactly() {
        Random r = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            int n = r.nextInt(40);
            long[] hashes = new long[n + r.nextInt(3)]; // arrays may be longer than the batch
            long[] times = new long[hashes.length];
            long span = switch (r.nextInt(4)) {
                case 0 -> DAY;
                case 1 -> 49 * DAY; // within 2^32 ms
                case 2 -> 50 * DAY; // maybe beyond it
                default -> 365 * DAY;
            };
            for (int i = 0; i < hashes.length; i++) {
                hashes[i] = r.nextLong();
                times[i] = T + (long) (r.nextDouble() * span);
            }
            long[] b = ListedBatch.of(hashes, times, n);
            assertThat(ListedBatch.size(b)).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(ListedBatch.hash(b, i)).isEqualTo(hashes[i]);
                assertThat(ListedBatch.time(b, i)).isEqualTo(times[i]);
            }
        }
    }

    @Test
    void eightIdsOfADayTakeThirteenLongsInsteadOfSixteen() {
        long[] hashes = new Random(1).longs(8).toArray();
        long[] times = new long[8];
        for (int i = 0; i < 8; i++) times[i] = T + i * 3 * 3_600_000L;
        assertThat(ListedBatch.of(hashes, times, 8)).hasSize(13);
        assertThat(ListedBatch.of(hashes, times, 2)).as("an even length is padded to odd").hasSize(5);
    }

    /** Times packing cannot hold stay in pairs, as layout 3 wrote every batch: its lists are read as they are. */
    @Test
    void timesPackingCannotHoldStayInPairsWhichAreStillRead() {
        long[] hashes = {-1L, 0L, Long.MIN_VALUE};
        long[][] cases = {
            {T, T + (1L << 32), T + 1}, // 2^32 ms apart
            {-5L, 10L, 20L}, // before 1970
            {T, Long.MAX_VALUE - 1, T}, // after 2248
        };
        for (long[] times : cases) {
            long[] b = ListedBatch.of(hashes, times, 3);
            assertThat(b).as("pairs").containsExactly(hashes[0], times[0], hashes[1], times[1], hashes[2], times[2]);
            for (int i = 0; i < 3; i++) assertThat(ListedBatch.time(b, i)).isEqualTo(times[i]);
        }
        long[] justWithin = {T, T + (1L << 32) - 1, T + 1};
        assertThat(ListedBatch.of(hashes, justWithin, 3)).hasSize(7); // 1 + 3 + 2, padded
        assertThat(ListedBatch.time(ListedBatch.of(hashes, justWithin, 3), 1)).isEqualTo(T + (1L << 32) - 1);
        assertThat(ListedBatch.of(hashes, justWithin, 0)).isEmpty();
    }
}
