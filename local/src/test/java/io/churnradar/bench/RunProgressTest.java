package io.churnradar.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.input.BacktestReading;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunProgressTest {
    /** Accumulator snapshots as the client would get them, one a call; null: none could be had. */
    private final Deque<Long> counts = new ArrayDeque<>();
    private long now;

    private RunProgress.Status status(long totalLines) {
        return new RunProgress.Status(() -> {
            Long n = counts.poll();
            return n == null ? null : Map.of(BacktestReading.linesReadAccumulator(), n);
        }, totalLines, () -> now);
    }

    private String after(RunProgress.Status status, long seconds, Long lines) {
        now += TimeUnit.SECONDS.toNanos(seconds);
        if (lines != null) counts.add(lines);
        return status.next();
    }

    @Test
    void saysHowFarTheReadingIsItsRateAndTheTimeLeftOnceEach() {
        RunProgress.Status s = status(1_000_000);
        assertThat(after(s, 10, 0L)).as("no count yet").isNull();
        assertThat(after(s, 10, 100_000L)).isEqualTo("  read 100,000 of 1,000,000 lines (10%)");
        assertThat(after(s, 10, 100_000L)).as("the same count again").isNull();
        assertThat(after(s, 10, null)).as("no accumulators").isNull();
        // 200,000 lines in 30 s since the first count: 6,667 a second, 700,000 left in 105 s.
        assertThat(after(s, 10, 300_000L)).isEqualTo("  read 300,000 of 1,000,000 lines (30%), 6,667 lines/s, about 1 min 45 s left");
        assertThat(after(s, 10, 1_000_000L)).isEqualTo("  all 1,000,000 lines read; the job runs to the end of its input");
        assertThat(after(s, 10, 1_000_000L)).isNull();
    }
}
