package io.churnradar.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.local.TestTmp;
import io.churnradar.scratch.ScratchLock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher's temp folders: each marked in use while it lives; the one a killed run left goes with the next of its kind. */
class ScratchDirTest {
    private static final Path TMP = TestTmp.ensure();

    @Test
    void theFolderOfARunKilledOutrightGoesWhenTheNextOfItsKindIsMade() throws Exception {
        Path dead = Files.createTempDirectory(TMP, "churn-radar-scratchtest-");
        Files.writeString(dead.resolve(ScratchLock.FILE), ""); // its run is gone: nobody holds the lock
        Files.createDirectories(dead.resolve("rocksdb")).resolve("000001.sst").toFile().createNewFile();

        Path made;
        try (ScratchDir dir = ScratchDir.create("churn-radar-scratchtest-")) {
            made = dir.root();
            assertThat(dead).doesNotExist();
            assertThat(made.resolve(ScratchLock.FILE)).isRegularFile();
            try (ScratchDir another = ScratchDir.create("churn-radar-scratchtest-")) {
                assertThat(made).as("in use").isDirectory();
            }
        }
        assertThat(made).doesNotExist();
    }
}
