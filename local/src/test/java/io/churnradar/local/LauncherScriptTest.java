package io.churnradar.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.testing.Deadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options the {@code ./churn-radar} launcher starts Java with: the repository's script, run by bash in a
 * copy of the layout it expects (a build it takes as current), with a {@code java} on the PATH that prints its
 * arguments instead of starting a JVM.
 */
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..").toAbsolutePath().normalize().resolve("churn-radar");

    @BeforeAll
    static void tempFolder() {
        TestTmp.ensure();
    }

    @TempDir
    Path root;

    @BeforeEach
    void layout() throws IOException {
        Files.copy(SCRIPT, root.resolve("churn-radar"));
        Files.createDirectories(root.resolve("local/target/classes"));
        Files.writeString(root.resolve("local/target/launcher.classpath"), "deps.jar");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> javaArgs(String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("churn-radar").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("CHURN_RADAR_JAVA_OPTS");
        if (javaOpts != null) pb.environment().put("CHURN_RADAR_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).as("the launcher ran Java with the main class and the command's arguments").contains("io.churnradar.local.command.Main");
        return lines;
    }

    @Test
    void batchCommandsRunOnTheParallelCollector() throws Exception {
        for (String command : List.of("backtest", "train", "convert", "state")) {
            assertThat(javaArgs(null, command, "--help")).as(command).contains("-XX:+UseParallelGC", "-Xmx2g");
        }
        assertThat(javaArgs(null, "bench", "--pipelines", "backtest")).contains("-XX:+UseParallelGC");
    }

    @Test
    void commandsServingALiveStreamKeepTheDefaultCollector() throws Exception {
        assertThat(javaArgs(null, "demo")).doesNotContain("-XX:+UseParallelGC");
        assertThat(javaArgs(null, "run", "--help")).doesNotContain("-XX:+UseParallelGC");
        assertThat(javaArgs(null, "bench", "--latency", "--max-rate", "100")).doesNotContain("-XX:+UseParallelGC");
    }

    @Test
    void everyCommandInlinesLessIntoCompiledCodeUnlessTheOptionsSayOtherwise() throws Exception {
        for (String command : List.of("backtest", "demo", "bench")) {
            assertThat(javaArgs(null, command, "--help")).as(command).contains("-XX:InlineSmallCode=1000");
        }
        List<String> args = javaArgs("-XX:InlineSmallCode=2500", "backtest", "--help");
        // The JVM takes the last value of a flag given twice.
        assertThat(args.lastIndexOf("-XX:InlineSmallCode=2500")).isGreaterThan(args.indexOf("-XX:InlineSmallCode=1000"));
    }

    @Test
    void aCollectorAndAHeapGivenInTheOptionsWin() throws Exception {
        List<String> args = javaArgs("-XX:+UseG1GC -Xmx4g", "backtest", "--help");
        assertThat(args).contains("-XX:+UseG1GC", "-Xmx4g").doesNotContain("-XX:+UseParallelGC", "-Xms512m");
        assertThat(args.indexOf("-Xmx4g")).isGreaterThan(args.indexOf("-Xmx2g"));
    }

    @Test
    void aBuildStoppedBySigtermStopsMavenAndLeavesNoLog() throws Exception {
        // No build yet, so the launcher builds first, with an `mvn` on the PATH that starts and waits (as a build takes a minute).
        Files.delete(root.resolve("local/target/launcher.classpath"));
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path started = root.resolve("mvn.pid");
        Path mvn = root.resolve("bin/mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho $$ > '" + started + "'\nexec sleep 120\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("churn-radar").toString(), "backtest", "--help").redirectErrorStream(true);
        pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("TMPDIR", tmp.toString());
        Process launcher = pb.start();
        Deadline.in(Duration.ofSeconds(30)).pollUntil("the build started", () -> Files.exists(started) && Files.size(started) > 0);
        ProcessHandle build = ProcessHandle.of(Long.parseLong(Files.readString(started).trim())).orElseThrow();

        launcher.toHandle().destroy(); // SIGTERM, leaving its output readable (Process.destroy closes it)

        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String said = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.exitValue()).as(said).isEqualTo(143);
        assertThat(said).contains("churn-radar: stopped while building.");
        assertThat(build.isAlive()).as("Maven stopped with the launcher").isFalse();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).as("the build's log removed").isEmpty();
        }
    }
}
