package io.churnradar.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
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
}
