package io.churnradar.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;

/**
 * Progress lines of a running backtest, every few seconds: lines read, lines per second and, where
 * the input's size tells it (plain files, not gzipped ones), the share read and an estimate of the
 * time left. Read from the reader's accumulators of the running job.
 */
final class BacktestProgress implements AutoCloseable {
    static final long EVERY_SECONDS = 5;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backtest-progress");
        t.setDaemon(true);
        return t;
    });
    private final long started = System.nanoTime();
    /** Accumulators reach the client with the TaskManager's heartbeat, less often than we ask: no line twice. */
    private long lastLines = -1;

    private BacktestProgress() {}

    /** Starts reporting the job's progress to {@code out}; null reports nothing. */
    static BacktestProgress start(JobClient job, List<Path> files, Consumer<String> out) throws IOException {
        BacktestProgress p = new BacktestProgress();
        if (out == null) return p;
        long total = 0;
        boolean sized = true;
        for (Path f : files) {
            if (f.toString().endsWith(".gz")) sized = false;
            total += Files.size(f);
        }
        long totalChars = sized ? total : -1;
        p.timer.scheduleAtFixedRate(() -> p.report(job, totalChars, out), EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
        return p;
    }

    private void report(JobClient job, long totalChars, Consumer<String> out) {
        try {
            Map<String, Object> acc = job.getAccumulators().get(EVERY_SECONDS, TimeUnit.SECONDS);
            long lines = number(acc.get(ReadInputs.LINES_READ));
            long chars = number(acc.get(ReadInputs.CHARS_READ));
            if (lines == lastLines) return;
            lastLines = lines;
            double secs = (System.nanoTime() - started) / 1e9;
            out.accept(line(lines, chars, totalChars, secs));
        } catch (Exception e) {
            // The job is finishing or gone: the summary follows.
        }
    }

    /** e.g. "  read 1,234,567 lines (45%), 23,456 lines/s, about 1 min 10 s left" */
    static String line(long lines, long chars, long totalChars, double secs) {
        StringBuilder b = new StringBuilder(String.format("  read %,d lines", lines));
        if (totalChars > 0 && chars > 0) b.append(String.format(" (%d%%)", Math.min(100, chars * 100 / totalChars)));
        if (secs > 0) b.append(String.format(", %,.0f lines/s", lines / secs));
        if (totalChars > 0 && chars > 0 && chars < totalChars) {
            long left = Math.round(secs * (totalChars - chars) / chars);
            b.append(", about ").append(left >= 60 ? left / 60 + " min " + left % 60 + " s" : left + " s").append(" left");
        }
        return b.toString();
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
