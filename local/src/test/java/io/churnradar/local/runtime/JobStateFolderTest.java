package io.churnradar.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run's state folder: which savepoint or checkpoint the next run restores, what it prunes, and one run at a time. */
class JobStateFolderTest {
    @TempDir
    Path dir;

    private Path snapshot(String path, String at) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(path));
        Path metadata = Files.writeString(folder.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.from(Instant.parse(at)));
        return folder;
    }

    @Test
    void theNewestCompleteSnapshotIsRestoredAndTheOlderOnesGo() throws Exception {
        try (JobStateFolder state = JobStateFolder.open(dir)) {
            assertThat(state.newest()).isEmpty();
            Path oldSavepoint = snapshot("savepoints/savepoint-1", "2026-03-01T10:00:00Z");
            Path checkpoint = snapshot("checkpoints/job-b/chk-7", "2026-03-01T11:00:00Z");
            Files.createDirectories(dir.resolve("checkpoints/job-b/shared")); // an incremental checkpoint's files
            Files.createDirectories(dir.resolve("checkpoints/job-b/chk-8")); // being written when the run was killed: no _metadata
            snapshot("checkpoints/job-a/chk-3", "2026-03-01T09:00:00Z");

            Optional<JobStateFolder.RestorePoint> newest = state.newest();
            assertThat(newest).map(JobStateFolder.RestorePoint::folder).contains(checkpoint);
            assertThat(newest.get().savepoint()).isFalse();
            assertThat(state.flinkSettings(newest)).containsEntry("execution.state-recovery.path", checkpoint.toUri().toString())
                    .containsEntry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");

            state.keepOnly(newest.get());
            assertThat(oldSavepoint).doesNotExist();
            assertThat(dir.resolve("checkpoints/job-a")).doesNotExist();
            assertThat(dir.resolve("checkpoints/job-b/shared")).as("the kept checkpoint's job folder stays whole").exists();

            Path savepoint = snapshot("savepoints/savepoint-2", "2026-03-01T12:00:00Z");
            assertThat(state.newest().get().folder()).isEqualTo(savepoint);
            assertThat(state.newest().get().describe()).startsWith("the savepoint " + savepoint);
        }
    }

    @Test
    void oneRunAtATime() throws Exception {
        try (JobStateFolder first = JobStateFolder.open(dir)) {
            assertThatThrownBy(() -> JobStateFolder.open(dir)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("another run uses " + dir);
        }
        try (JobStateFolder again = JobStateFolder.open(dir)) {
            assertThat(again.dir()).isEqualTo(dir);
        }
    }
}
