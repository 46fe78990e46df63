package io.churnradar.bench;

import io.churnradar.backtest.BacktestProgress;
import io.churnradar.backtest.input.BacktestReading;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.core.execution.JobClient;

/**
 * Progress of one benchmark run while its job runs: every {@link #EVERY_SECONDS}, the lines its reader has read of
 * the input's, the rate since its first count and the time left at that rate. flink-sql on RocksDB at a million
 * accounts runs for minutes (22 on a dense day of them) and said nothing meanwhile. A run shorter than the period
 * prints nothing, so the usual table stays as it was; the lines go to the progress stream, never into the figures.
 * The backtest's run reports through the backtest's own progress lines instead.
 */
final class RunProgress {
    static final long EVERY_SECONDS = 10;

    private RunProgress() {}

    /**
     * Reports {@code job}, whose input has {@code totalLines}, to {@code out} until the returned reporter is closed
     * (null {@code out}: nothing), through the backtest's reporting: its thread, and no line said twice.
     */
    static BacktestProgress of(JobClient job, long totalLines, Consumer<String> out) {
        Status status = new Status(BacktestProgress.accumulators(job), totalLines, System::nanoTime);
        return BacktestProgress.of(status::next, out, TimeUnit.SECONDS.toMillis(EVERY_SECONDS));
    }

    /** What the job has read by now, as a line; null when there is nothing new to say. */
    static final class Status {
        private final Supplier<Map<String, Object>> accumulators;
        private final long totalLines;
        private final LongSupplier nanoClock;
        /** The first count seen and when: the rate counts from it, not from the job's start-up (-1: none yet). */
        private long firstLines = -1;
        private long firstAt;
        private long lastLines = -1;
        private boolean allRead;

        Status(Supplier<Map<String, Object>> accumulators, long totalLines, LongSupplier nanoClock) {
            this.accumulators = accumulators;
            this.totalLines = totalLines;
            this.nanoClock = nanoClock;
        }

        String next() {
            Map<String, Object> acc = accumulators.get();
            if (acc == null || allRead) return null;
            long lines = acc.get(BacktestReading.linesReadAccumulator()) instanceof Number n ? n.longValue() : 0;
            if (lines <= 0 || lines == lastLines) return null; // the counts reach the client with a heartbeat: none twice
            lastLines = lines;
            long now = nanoClock.getAsLong();
            if (lines >= totalLines) {
                allRead = true;
                return String.format("  all %,d lines read; the job runs to the end of its input", lines);
            }
            if (firstLines < 0) {
                firstLines = lines;
                firstAt = now;
                return String.format("  read %,d of %,d lines (%d%%)", lines, totalLines, percent(lines));
            }
            double perSecond = (lines - firstLines) / ((now - firstAt) / 1e9);
            long left = perSecond <= 0 ? -1 : Math.round((totalLines - lines) / perSecond);
            return String.format("  read %,d of %,d lines (%d%%), %,.0f lines/s, %s", lines, totalLines, percent(lines), perSecond,
                    left < 0 ? "no estimate yet" : "about " + BacktestProgress.duration(left) + " left");
        }

        private int percent(long lines) {
            return (int) Math.min(99, 100 * lines / Math.max(1, totalLines));
        }
    }
}
