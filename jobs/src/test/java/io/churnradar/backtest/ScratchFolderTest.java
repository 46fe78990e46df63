package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.scratch.ScratchLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aKilledRunsFolderOfTheSameKindIsRemovedAndSaidAndOnesInUseStay() throws Exception {
        // What a run killed outright leaves: its lock file, which nobody holds any more.
        Path dead = Files.createDirectory(out.resolve(".backtest-scratch-1"));
        Files.writeString(dead.resolve(ScratchLock.FILE), "");
        Files.write(dead.resolve("alerts-00000-000000.run"), new byte[3 << 20]);
        Path unmarked = Files.createDirectory(out.resolve(".backtest-scratch-2"));
        try (ScratchFolder first = ScratchFolder.create(out, ".backtest-scratch-")) {
            assertThat(dead).doesNotExist();
            assertThat(unmarked).as("no lock file: not known to be dead").isDirectory();
            assertThat(first.path().resolve(ScratchLock.FILE)).isRegularFile();
            List<String> said = new ArrayList<>();
            first.sayRemovedAbandoned(said::add);
            assertThat(said).containsExactly("  removed " + dead + " (3 MB), left by a run that was killed");
            try (ScratchFolder second = ScratchFolder.create(out, ".backtest-scratch-")) {
                assertThat(first.path()).as("in use").isDirectory();
                List<String> none = new ArrayList<>();
                second.sayRemovedAbandoned(none::add);
                assertThat(none).isEmpty();
            }
        }
    }
}
