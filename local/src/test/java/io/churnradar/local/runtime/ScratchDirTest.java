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
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(said, true, java.nio.charset.StandardCharsets.UTF_8));
        ScratchDir first;
        try {
            first = ScratchDir.create("churn-radar-scratchtest-");
        } finally {
            System.setErr(stderr);
        }
        assertThat(said.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("churn-radar: removed " + dead + " (0 MB), the temporary folder of a run that was killed" + System.lineSeparator());
        try (ScratchDir dir = first) {
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
