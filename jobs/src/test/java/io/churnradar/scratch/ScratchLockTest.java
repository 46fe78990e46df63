package io.churnradar.scratch;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.testing.Deadline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scratch folders of runs killed outright are removed by the next sweep; folders in use, this JVM's own, others'
 * without a lock file and other names stay. The owners are real JVMs, killed with SIGKILL.
 */
class ScratchLockTest {
    @TempDir
    Path parent;

    @Test
    void aFolderOfARunKilledOutrightIsRemovedAndOneInUseStays() throws Exception {
        Path killed = Files.createDirectory(parent.resolve(".backtest-scratch-1"));
        Path living = Files.createDirectory(parent.resolve(".backtest-scratch-2"));
        Files.write(killed.resolve("alerts-00000-000000.run"), new byte[4096]);
        Process killedOwner = owner(killed);
        Process livingOwner = owner(living);
        try {
            awaitLocked(killed);
            awaitLocked(living);
            assertThat(ScratchLock.removeAbandoned(parent, ".backtest-scratch-")).as("both owners alive").isEmpty();

            killedOwner.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(killedOwner.waitFor(30, TimeUnit.SECONDS)).isTrue();

            List<ScratchLock.Abandoned> removed = ScratchLock.removeAbandoned(parent, ".backtest-scratch-");
            assertThat(removed).extracting(ScratchLock.Abandoned::folder).containsExactly(killed);
            assertThat(removed.get(0).bytes()).isGreaterThanOrEqualTo(4096);
            assertThat(killed).doesNotExist();
            assertThat(living).isDirectory();
        } finally {
            killedOwner.destroyForcibly();
            livingOwner.destroyForcibly();
            livingOwner.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(ScratchLock.removeAbandoned(parent, ".backtest-scratch-")).extracting(ScratchLock.Abandoned::folder)
                .as("its owner gone too").containsExactly(living);
    }

    @Test
    void thisJvmsOwnFolderAFolderWithoutALockFileAndOtherNamesStay() throws Exception {
        Path own = Files.createDirectory(parent.resolve("churn-radar-flink-1"));
        Path unmarked = Files.createDirectory(parent.resolve("churn-radar-flink-2"));
        Path other = Files.createDirectory(parent.resolve("someone-else"));
        Files.writeString(other.resolve(ScratchLock.FILE), "");
        try (ScratchLock lock = ScratchLock.take(own)) {
            assertThat(own.resolve(ScratchLock.FILE)).isRegularFile();
            assertThat(own.resolve(ScratchLock.FILE + ".new")).doesNotExist();
            assertThat(ScratchLock.removeAbandoned(parent, "churn-radar-flink-")).isEmpty();
        }
        assertThat(ScratchLock.removeAbandoned(parent, "churn-radar-flink-")).extracting(ScratchLock.Abandoned::folder)
                .as("released, its lock is free").containsExactly(own);
        assertThat(unmarked).isDirectory();
        assertThat(other).isDirectory();
        assertThat(ScratchLock.removeAbandoned(parent.resolve("not-there"), "x")).isEmpty();
    }

    /** A JVM that marks {@code folder} as in use and waits until killed. */
    private static Process owner(Path folder) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ScratchLockOwner.class.getName(), folder.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitLocked(Path folder) throws Exception {
        Deadline.in(Duration.ofSeconds(60)).pollUntil("the owner of " + folder + " locked it", () -> Files.exists(folder.resolve(ScratchLock.FILE)));
    }
}
