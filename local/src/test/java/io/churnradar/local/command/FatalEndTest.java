package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.bench.SyntheticHistory;
import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.testing.Deadline;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launcher run that ends badly, for real, in a child JVM (as {@code ./churn-radar} starts it): a real
 * OutOfMemoryError in one of Flink's threads (whose handler exits the JVM with 239), in a thread of no one's,
 * the heap really exhausted by a backtest, and SIGTERM. Each must say on stderr what happened and what to
 * change, exit with a documented non-zero status, and leave no temp folder behind.
 */
class FatalEndTest {
    static {
        TestTmp.ensure();
    }

    /** As ./churn-radar opens them for Flink on Java 17. */
    static final List<String> JAVA_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static Path events;
    private static Path hugeLines;

    @TempDir
    Path dir;

    @BeforeAll
    static void history(@TempDir Path shared) throws Exception {
        events = shared.resolve("history.jsonl");
        SyntheticHistory.write(events, 2_000, 60_000, 30, 7);
        // Events with a 15 MB feature name each: reading one takes several times that on the heap.
        hugeLines = shared.resolve("huge-lines.jsonl");
        String feature = "x".repeat(15_000_000);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lines.add("{\"type\":\"usage\",\"eventId\":\"e-" + i + "\",\"accountId\":\"acct-" + i
                    + "\",\"eventTime\":\"2026-03-02T10:15:00Z\",\"feature\":\"" + feature + "\",\"quantity\":1}");
        }
        Files.write(hugeLines, lines);
    }

    private record Ended(int status, String stdout, String stderr, Path tmp) {
        /** The launcher's temp folders, and the backtest's scratch folder of sorted runs under --out. */
        List<String> leftovers() throws Exception {
            List<String> left = new ArrayList<>();
            try (Stream<Path> s = Files.list(tmp)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("churn-radar-")).forEach(left::add);
            }
            Path out = tmp.resolveSibling("out");
            if (Files.isDirectory(out)) {
                try (Stream<Path> s = Files.list(out)) {
                    s.map(p -> "out/" + p.getFileName()).filter(n -> n.startsWith("out/.backtest-scratch-")).forEach(left::add);
                }
            }
            return left;
        }
    }

    /** Starts {@code FatalChild mode backtest ...} with its own temp folder. */
    private Process start(String mode, String heap, Path tmp) throws Exception {
        return start(mode, heap, tmp, events);
    }

    private Process start(String mode, String heap, Path tmp, Path input, String... more) throws Exception {
        Files.createDirectories(tmp);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        cmd.addAll(JAVA_OPENS);
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-Dchurnradar.home=" + ChurnRadarHome.root());
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).replace(" ", File.pathSeparator));
        cmd.add(FatalChild.class.getName());
        cmd.addAll(List.of(mode, "backtest", "--events", input.toString(), "--out", dir.resolve("out").toString(), "--parallelism", "2"));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
    }

    private Ended await(Process p, Path tmp) throws Exception {
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not end; stderr: " + Files.readString(dir.resolve("stderr.txt")));
        }
        return new Ended(p.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8), tmp);
    }

    @Test
    @Timeout(300)
    void anOutOfMemoryErrorInAFlinkThreadExplainsFlinksExitAndRemovesTheTempFolders() throws Exception {
        Path tmp = dir.resolve("tmp");
        Ended e = await(start("flink-thread", "1g", tmp), tmp);

        assertThat(e.status()).as(e.stderr()).isEqualTo(239);
        assertThat(e.stderr()).contains("Flink stopped the JVM (exit status 239) after an uncaught error in its thread 'flink-test-fatal",
                "out of memory", "with a Java heap of", "CHURN_RADAR_JAVA_OPTS=-Xmx4g ./churn-radar backtest --events",
                "removed the temporary folder");
        assertThat(e.leftovers()).isEmpty();
    }

    @Test
    @Timeout(300)
    void anOutOfMemoryErrorInAThreadWithoutHandlerEndsTheRunWithItsExplanation() throws Exception {
        Path tmp = dir.resolve("tmp");
        Ended e = await(start("own-thread", "1g", tmp), tmp);

        assertThat(e.status()).as(e.stderr()).isEqualTo(Main.FAILED);
        assertThat(e.stderr()).contains("churn-radar: out of memory (Java heap space in thread 'churn-radar-test-fatal') with a Java heap of",
                "CHURN_RADAR_JAVA_OPTS=-Xmx", "removed the temporary folder");
        assertThat(e.leftovers()).isEmpty();
    }

    @Test
    @Timeout(300)
    void aBacktestThatExhaustsTheHeapSaysHowToGiveItMore() throws Exception {
        Path tmp = dir.resolve("tmp");
        // Enough for Flink to start and the job to run, too little for lines of 15 MB (accepted up to 16 MiB).
        Ended e = await(start("plain", "96m", tmp, hugeLines, "--max-line-bytes", "16777216"), tmp);

        // The job's task fails with it (1), or a thread of Flink's dies of it and Flink exits the JVM (239).
        assertThat(e.status()).as(e.stdout() + e.stderr()).isIn(Main.FAILED, 239);
        assertThat(e.stderr()).contains("out of memory", "CHURN_RADAR_JAVA_OPTS=-Xmx");
        assertThat(e.leftovers()).isEmpty();
    }

    @Test
    @Timeout(300)
    void aGzippedInputCutOffStopsTheBacktestSayingWhichFileHowFarAndWhatToDo() throws Exception {
        Path tmp = dir.resolve("tmp");
        Path cut = dir.resolve("history.jsonl.gz");
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream gz = new java.util.zip.GZIPOutputStream(whole)) {
            Files.copy(events, gz);
        }
        byte[] bytes = whole.toByteArray();
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // a copy taken while it was still being written
        // On the heap as asked: auto's estimate would read the file's start first; this is the job reading it.
        Ended e = await(start("plain", "1g", tmp, cut, "--state-backend", "heap"), tmp);

        assertThat(e.status()).as(e.stderr()).isEqualTo(Main.FAILED);
        assertThat(e.stderr()).contains("churn-radar: the job stopped: " + cut.toAbsolutePath() + ": cannot be read as gzip after line ",
                "(EOFException: Unexpected end of ZLIB input stream)", "copy or compress it again, or leave it out of the input")
                .doesNotContain("\tat ");
        assertThat(e.leftovers()).isEmpty();
    }

    @Test
    @Timeout(300)
    void sigtermStopsTheBacktestAndRemovesTheTempFolders() throws Exception {
        Path tmp = dir.resolve("tmp");
        Process p = start("plain", "1g", tmp);
        Deadline.in(Duration.ofMinutes(2)).pollUntil("the backtest's Flink folder", () -> {
            try (Stream<Path> s = Files.list(tmp)) {
                return s.anyMatch(f -> f.getFileName().toString().startsWith("churn-radar-flink-"));
            }
        });
        p.destroy(); // SIGTERM
        Ended e = await(p, tmp);

        assertThat(e.status()).as(e.stderr()).isEqualTo(143);
        assertThat(e.stderr()).contains("churn-radar: interrupted (SIGTERM)");
        // Closing Flink under the job fails its tasks: their stacks would follow that line, and say nothing new.
        assertThat(e.stderr().substring(e.stderr().indexOf("churn-radar: interrupted"))).doesNotContain("\tat org.apache.flink");
        assertThat(e.leftovers()).isEmpty();
    }
}
