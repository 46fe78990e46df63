package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's scratch folder goes with everything in it when the run ends; the JVM's end is FatalEndTest's (local). */
class ScratchFolderTest {
    @TempDir
    Path out;

    @Test
    void closingRemovesTheFolderAndItsRuns() throws Exception {
        Path made;
        try (ScratchFolder f = ScratchFolder.create(out, ".backtest-scratch-")) {
            made = f.path();
            assertThat(made.getParent()).isEqualTo(out);
            assertThat(made.getFileName().toString()).startsWith(".backtest-scratch-");
            Files.writeString(made.resolve("alerts-00000-000000.run"), "run");
            Files.createDirectories(made.resolve("report"));
            Files.writeString(made.resolve("report").resolve("labels.bin"), "labels");
        }
        assertThat(made).doesNotExist();
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void aFailedRunRemovesItToo() throws Exception {
        Path[] made = new Path[1];
        try (ScratchFolder f = ScratchFolder.create(out, ".backtest-scratch-")) {
            made[0] = f.path();
            Files.writeString(made[0].resolve("health-changes-00001-000003.run"), "run");
            throw new IllegalStateException("the job failed");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("the job failed");
        }
        assertThat(made[0]).doesNotExist();
    }
}
