package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.input.EventTimeMerge;
import io.churnradar.backtest.results.BacktestOutputs;
import io.churnradar.testing.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BacktestProgressTest {
    @Test
    void saysLinesRateShareAndTimeLeftWhereTheSizeIsKnown() {
        assertThat(BacktestProgress.line(1_234_567, 45_000_000, 100_000_000, 50, 1_234_567, 45_000_000, 50))
                .isEqualTo("  read 1,234,567 lines (45%), 24,691 lines/s, about 1 min 1 s left");
        assertThat(BacktestProgress.line(1_000, 0, -1, 2, 1_000, 0, 2)).isEqualTo("  read 1,000 lines, 500 lines/s");
        assertThat(BacktestProgress.line(10, 100, 100, 1, 10, 100, 1)).isEqualTo("  read 10 lines (100%), 10 lines/s");
    }

    @Test
    void aRunThatSlowsDownSaysTheTimeLeftAtItsRecentRate() {
        // 5,000 of 10,000 bytes in 100 s, but only 600 in the last minute: 10 bytes/s now, not 50.
        assertThat(BacktestProgress.line(1_000, 5_000, 10_000, 100, 120, 600, 60))
                .isEqualTo("  read 1,000 lines (50%), 2 lines/s, about 8 min 20 s left");
        // Under half a minute of window: the rates since the start.
        assertThat(BacktestProgress.line(1_000, 5_000, 10_000, 100, 120, 600, 20))
                .isEqualTo("  read 1,000 lines (50%), 10 lines/s, about 1 min 40 s left");

        java.util.Map<String, Object> acc = new java.util.HashMap<>();
        long[] clock = {0};
        BacktestProgress.JobStatus status = new BacktestProgress.JobStatus(() -> acc, 300_000, java.nio.file.Path.of("."), 0,
                () -> clock[0]);
        // A report every 5 s: 1,000 bytes a second for three minutes, then 100 a second for three more.
        String last = null;
        long bytes = 0;
        for (int s = 5; s <= 360; s += 5) {
            clock[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(s);
            bytes += s <= 180 ? 5_000 : 500;
            acc.put(EventTimeMerge.LINES_READ, bytes / 10);
            acc.put(EventTimeMerge.BYTES_READ, bytes);
            last = status.next();
        }
        // 102,000 bytes left at the last two minutes' 100 a second (the average since the start would say 3 min 5 s).
        assertThat(last).isEqualTo("  read 19,800 lines (66%), 10 lines/s, about 17 min 0 s left");
    }

    @Test
    void theMergeSaysItsRunsAndWhatItHasWritten() {
        assertThat(BacktestProgress.mergeLine(1_665, 13_314_398_618L, 3L << 30, 32))
                .isEqualTo("  merging 1,665 sorted runs (12.4 GB) into the result files: 3.0 GB written, 96 MB/s");
        // More runs of one file than a pass opens: the passes before the last are said, and count in the rate.
        assertThat(BacktestProgress.mergeLine(1_667, 22_333_829_939L, 905L << 20, 8L << 30, 80))
                .isEqualTo("  merging 1,667 sorted runs (20.8 GB) into the result files: 905 MB written"
                        + " (and 8.0 GB merged into fewer runs first), 113 MB/s");
        assertThat(BacktestProgress.bytes(640 * 1024)).isEqualTo("640 KB");
        assertThat(BacktestProgress.bytes(812L << 20)).isEqualTo("812 MB");
    }

    @Test
    void theMergeSaysWhichFileItWritesAndHowFarIntoTheEventsTimeWithTheTimeThatFileHasLeft() {
        long from = java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        long to = java.time.Instant.parse("2026-03-02T00:00:00Z").toEpochMilli(); // 60 days
        long at = java.time.Instant.parse("2026-02-15T00:00:00.250Z").toEpochMilli(); // day 45: 75%
        long started = 1_000_000_000L;
        long now = started + 30_000_000_000L; // 30 s into the file
        var health = new BacktestOutputs.MergeProgress.FileInProgress("health.jsonl", true, started);
        assertThat(BacktestProgress.position(health, at, from, to, now))
                .isEqualTo("; health.jsonl at 2026-02-15T00:00:00Z, 75% of the events' time, about 10 s left for it");
        // The first second of a file, or its first percent: too early to say the time left.
        assertThat(BacktestProgress.position(health, at, from, to, started + 500_000_000L))
                .isEqualTo("; health.jsonl at 2026-02-15T00:00:00Z, 75% of the events' time");
        assertThat(BacktestProgress.position(health, from + 1000, from, to, now))
                .isEqualTo("; health.jsonl at 2026-01-01T00:00:01Z, 0% of the events' time");
        // A file not in time order, no line yet, no events: its name alone; before the first file, nothing.
        long none = BacktestOutputs.MergeProgress.NO_TIME;
        var last = new BacktestOutputs.MergeProgress.FileInProgress("health.jsonl, each account's last score", false, started);
        assertThat(BacktestProgress.position(last, at, from, to, now)).isEqualTo("; health.jsonl, each account's last score");
        assertThat(BacktestProgress.position(health, none, from, to, now)).isEqualTo("; health.jsonl");
        assertThat(BacktestProgress.position(health, at, none, none, now)).isEqualTo("; health.jsonl");
        assertThat(BacktestProgress.position(null, at, from, to, now)).isEmpty();
    }

    @Test
    void theSecondsTheJobTakesToStartDoNotCountInTheRateOnceThereAreTwoCounts() {
        java.util.Map<String, Object> acc = new java.util.HashMap<>();
        long[] clock = {0};
        BacktestProgress.JobStatus status = new BacktestProgress.JobStatus(() -> acc, 100_000, java.nio.file.Path.of("."), 0,
                () -> clock[0]);
        clock[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(5); // the job is starting: nothing read yet
        acc.put(EventTimeMerge.LINES_READ, 0L);
        acc.put(EventTimeMerge.BYTES_READ, 0L);
        assertThat(status.next()).isNull();
        clock[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(10); // the first count: only the rate since the start
        acc.put(EventTimeMerge.LINES_READ, 1_000L);
        acc.put(EventTimeMerge.BYTES_READ, 10_000L);
        assertThat(status.next()).isEqualTo("  read 1,000 lines (10%), 100 lines/s, about 1 min 30 s left");
        clock[0] = java.util.concurrent.TimeUnit.SECONDS.toNanos(15); // 10,000 bytes in the 5 s since: 40 s left, not 1 min
        acc.put(EventTimeMerge.LINES_READ, 2_000L);
        acc.put(EventTimeMerge.BYTES_READ, 20_000L);
        assertThat(status.next()).isEqualTo("  read 2,000 lines (20%), 200 lines/s, about 40 s left");
    }

    @Test
    void theReadingEndsWithTheFilesBytesNotWithAPause(@org.junit.jupiter.api.io.TempDir java.nio.file.Path scratch) {
        java.util.Map<String, Object> acc = new java.util.HashMap<>();
        BacktestProgress.JobStatus status = new BacktestProgress.JobStatus(() -> acc, 1_000, scratch, System.nanoTime(), System::nanoTime);
        // Before the readers' first counts arrive: nothing to say yet.
        acc.put(EventTimeMerge.LINES_READ, 0L);
        acc.put(EventTimeMerge.BYTES_READ, 0L);
        assertThat(status.next()).isNull();
        acc.put(EventTimeMerge.LINES_READ, 10L);
        acc.put(EventTimeMerge.BYTES_READ, 400L);
        assertThat(status.next()).startsWith("  read 10 lines (40%)");
        // The reader waits (on detection, on a slow disk): nothing new to say, however long, and not the end.
        for (int i = 0; i < 10; i++) assertThat(status.next()).isNull();
        acc.put(EventTimeMerge.LINES_READ, 25L);
        acc.put(EventTimeMerge.BYTES_READ, 1_000L);
        assertThat(status.next()).isEqualTo("  all 25 lines read; detecting to the end of the input, 0 KB of sorted runs"
                + " (compressed) written so far");
    }

    @Test
    void aStatusIsPrintedWhenItChangesAndNeverTwice() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        List<String> out = new CopyOnWriteArrayList<>();
        // The status changes every third poll: each value printed once, in order.
        try (BacktestProgress ignored = BacktestProgress.of(() -> "step " + polls.incrementAndGet() / 3, out::add, 10)) {
            Deadline.in(Duration.ofSeconds(30)).pollUntil("four status lines", () -> out.size() >= 4);
        }
        assertThat(out.subList(0, 4)).containsExactly("step 0", "step 1", "step 2", "step 3");
    }

    @Test
    void durationsInHoursMinutesAndSeconds() {
        assertThat(BacktestProgress.duration(40)).isEqualTo("40 s");
        assertThat(BacktestProgress.duration(125)).isEqualTo("2 min 5 s");
        assertThat(BacktestProgress.duration(3_780)).isEqualTo("1 h 3 min");
    }
}
