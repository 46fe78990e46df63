package io.churnradar.detect.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantTextTest {
    private static void same(long millis) {
        assertThat(InstantText.of(millis)).as("%d", millis).isEqualTo(Instant.ofEpochMilli(millis).toString());
    }

    @Test
    void writesWhatInstantWrites() {
        for (long m : new long[] {0, 1, 999, 1_000, 59_999, 86_399_999, 86_400_000, 951_782_400_000L /* 2000-02-29 */,
                4_107_542_399_999L /* 2100-02-28T23:59:59.999 */, 4_107_542_400_000L, 253_402_300_799_999L, 253_402_300_800_000L,
                -1, -86_400_001L, Long.MIN_VALUE / 1_000_000, Long.MAX_VALUE / 1_000_000}) {
            same(m);
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) same(r.nextLong(0, 253_402_300_800_000L));
        for (int i = 0; i < 100_000; i++) same(r.nextLong(946_684_800_000L, 4_102_444_800_000L) / 1_000 * 1_000); // whole seconds, 2000..2100
    }

    @Test
    void appendsToWhatIsThere() {
        assertThat(InstantText.append(new StringBuilder("at "), 1_700_000_000_123L)).hasToString("at 2023-11-14T22:13:20.123Z");
    }
}
