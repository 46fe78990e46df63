package io.churnradar.local.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.util.ExceptionUtils;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.core.filter.CompositeFilter;

/**
 * Keeps Flink's log quiet about a failure the launcher expects and answers itself: a task that fails with one of
 * the given exceptions anywhere in its causes logs a warning with the whole stack, twice for two subtasks, just
 * before the launcher says in one line what happened and what it does instead (a heap backtest that met more
 * accounts than its heap allows starts again on RocksDB). Every other warning still shows.
 *
 * <p>Written by hand: log4j's own filters match a message's text, and Flink's message of a failed task does not
 * name the exception (it is the event's throwable).
 */
public final class ExpectedFailureLogging {
    private ExpectedFailureLogging() {}

    /** Drops Flink's log events whose throwable has a cause of class {@code className} (the launcher's log4j only). */
    public static void quiet(String className) {
        addToFlink(new CauseFilter(c -> c.getClass().getName().equals(className)));
    }

    /**
     * Drops Flink's warnings of failed checkpoints for the rest of the JVM's life: cancelling a job on purpose declines
     * the checkpoint in flight (the coordinator is suspending, the tasks are closing), which Flink logs as a warning with
     * a stack of 30 lines after the command's last figures. Errors still show.
     */
    public static void quietDeclinedCheckpoints() {
        if (!(LogManager.getContext(false) instanceof LoggerContext)) return; // another logging backend: leave it
        Configurator.setLevel("org.apache.flink.runtime.checkpoint.CheckpointFailureManager", Level.ERROR);
    }

    /**
     * Drops, for the rest of the JVM's life, Flink's warning of a checkpoint declined because a task was closing: a bounded
     * run (bench, a backtest with checkpoints) ends with one as its sources finish, a warning with a stack of 30 lines after
     * the run's figures, though nothing failed (the next checkpoint, or the end of the job, follows). Every other failed
     * checkpoint still warns with its stack. Installed once, however often called.
     */
    public static synchronized void quietCheckpointsDeclinedAsTasksClose() {
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) return; // another logging backend: leave it
        Filter present = ctx.getConfiguration().getLoggerConfig("org.apache.flink").getFilter();
        boolean installed = present instanceof DeclinedAsTasksClose
                || (present instanceof CompositeFilter all && Arrays.stream(all.getFiltersArray()).anyMatch(DeclinedAsTasksClose.class::isInstance));
        if (!installed) addToFlink(new DeclinedAsTasksClose());
    }

    /** Adds {@code filter} to Flink's logger (the launcher's log4j only). */
    private static void addToFlink(Filter filter) {
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) return; // another logging backend: leave it
        ctx.getConfiguration().getLoggerConfig("org.apache.flink").addFilter(filter);
        ctx.updateLoggers();
    }

    /** Drops a log event whose throwable has a cause that {@code cause} accepts. */
    private static class CauseFilter extends AbstractFilter {
        private final Predicate<Throwable> cause;

        CauseFilter(Predicate<Throwable> cause) {
            super(Filter.Result.DENY, Filter.Result.NEUTRAL);
            this.cause = cause;
        }

        @Override
        public Result filter(LogEvent event) {
            Throwable thrown = event.getThrown();
            return thrown != null && ExceptionUtils.findThrowable(thrown, cause).isPresent() ? onMatch : onMismatch;
        }
    }

    /** A log event whose throwable is a checkpoint declined because a task was closing. */
    static final class DeclinedAsTasksClose extends CauseFilter {
        DeclinedAsTasksClose() {
            super(c -> c instanceof CheckpointException e && e.getCheckpointFailureReason() == CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING);
        }
    }

    /**
     * Silences Flink, Kafka and Pekko for the rest of the JVM's life: once the user stopped a run (Ctrl-C, SIGTERM)
     * and the launcher said so, closing the local Flink under a running job fails every task, and each logs its
     * failure with a stack, about 200 lines after that one line, none of them news.
     */
    public static void silenceRuntime() {
        if (!(LogManager.getContext(false) instanceof LoggerContext)) return; // another logging backend: leave it
        for (String logger : List.of("org.apache.flink", "org.apache.kafka", "org.apache.pekko", "kafka")) {
            Configurator.setLevel(logger, Level.OFF);
        }
    }
}
