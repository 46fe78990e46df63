package io.churnradar.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.util.SerializedThrowable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.filter.CompositeFilter;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

class ExpectedFailureLoggingTest {
    @Test
    void aDeclinedCheckpointOfAJobStoppedOnPurposeLogsNoWarningButErrorsStillShow() {
        Logger checkpoints = LogManager.getLogger("org.apache.flink.runtime.checkpoint.CheckpointFailureManager");
        Logger coordinator = LogManager.getLogger("org.apache.flink.runtime.checkpoint.CheckpointCoordinator");

        ExpectedFailureLogging.quietDeclinedCheckpoints();

        assertThat(checkpoints.isWarnEnabled()).isFalse();
        assertThat(checkpoints.isErrorEnabled()).isTrue();
        // Only the failure manager's warnings: the rest of Flink warns as the launcher's log4j2.properties says.
        assertThat(coordinator.isWarnEnabled()).isTrue();
    }

    @Test
    void onlyACheckpointDeclinedAsATaskClosesIsDroppedAndTheFilterIsInstalledOnce() {
        ExpectedFailureLogging.quietCheckpointsDeclinedAsTasksClose();
        ExpectedFailureLogging.quietCheckpointsDeclinedAsTasksClose();

        LoggerConfig flink = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getLoggerConfig("org.apache.flink");
        Filter filter = flink.getFilter();
        Filter[] filters = filter instanceof CompositeFilter all ? all.getFiltersArray() : new Filter[] {filter};
        assertThat(filters).filteredOn(f -> f instanceof ExpectedFailureLogging.DeclinedAsTasksClose).hasSize(1);

        Filter declined = new ExpectedFailureLogging.DeclinedAsTasksClose();
        // As Flink logs it: the coordinator's exception, its cause the task's, serialized.
        CheckpointException closing = new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING,
                new SerializedThrowable(new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING)));
        assertThat(declined.filter(warning(closing))).isEqualTo(Filter.Result.DENY);
        assertThat(declined.filter(warning(new RuntimeException("wrapped", closing)))).isEqualTo(Filter.Result.DENY);

        assertThat(declined.filter(warning(new CheckpointException(CheckpointFailureReason.CHECKPOINT_EXPIRED)))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(declined.filter(warning(new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED)))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(declined.filter(warning(new IllegalStateException("Checkpoint was declined (task is closing)")))).isEqualTo(Filter.Result.NEUTRAL);
        assertThat(declined.filter(warning(null))).isEqualTo(Filter.Result.NEUTRAL);
    }

    private static LogEvent warning(Throwable thrown) {
        return Log4jLogEvent.newBuilder()
                .setLoggerName("org.apache.flink.runtime.checkpoint.CheckpointFailureManager")
                .setLevel(Level.WARN)
                .setMessage(new SimpleMessage("Failed to trigger or complete checkpoint 15 for job 7a56. (0 consecutive failed attempts so far)"))
                .setThrown(thrown)
                .build();
    }
}
