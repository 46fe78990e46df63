package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.ChurnRadarHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's command line: help, and clear errors for what it does not know. Starts nothing. */
class MainTest {
    static {
        TestTmp.ensure();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpDescribesEveryCommandAndOption() {
        assertThat(picocliWarnings(() -> assertThat(run("help")).isZero())).isEmpty();
        List<picocli.CommandLine> commands = new ArrayList<>();
        collect(Main.commandLine(System.out, System.err), commands);
        assertThat(commands).extracting(c -> Main.commandName(c.getCommandSpec())).contains("demo", "run", "backtest", "convert", "bench",
                "rules validate", "rules publish", "state export", "help");
        for (picocli.CommandLine c : commands) {
            if (c.getCommandSpec().userObject() instanceof HelpCommand) continue; // the overview is its help
            assertThat(out()).contains("Usage: " + c.getCommandSpec().qualifiedName(" "));
            for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                assertThat(out()).contains(o.longestName() + (o.typeInfo().isBoolean() ? "" : "=" + o.paramLabel()));
                assertThat(o.description()).as(o.longestName()).isNotEmpty();
            }
        }
        assertThat(out()).contains("Exit codes:", "130", "239");
        // picocli reads ${...} in a help text as a variable (an unset one prints "null"): a secret's syntax is written $${...}.
        assertThat(out()).contains("secrets as ${env:VAR} or ${file:/path}").doesNotContainPattern("\\bnull\\b");
        assertThat(err()).isEmpty();
    }

    /**
     * What picocli warns of while {@code r} runs, such as a help text it cannot format (a lone {@code %}), which it then
     * prints raw: it warns on the JVM's standard error as it is at the time, never on the streams given to {@link Main#run}.
     */
    private static String picocliWarnings(Runnable r) {
        PrintStream before = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(before);
        }
        return warnings.toString(StandardCharsets.UTF_8);
    }

    private static void collect(picocli.CommandLine c, List<picocli.CommandLine> all) {
        all.add(c);
        c.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    @Test
    void versionNamesChurnRadarAndWhatItRunsOn() {
        assertThat(run("--version")).isZero();
        assertThat(out()).startsWith("churn-radar " + VersionProvider.churnRadar() + System.lineSeparator())
                .contains("Flink 2.2.1", "Kafka clients 4.2.0", "Java " + Runtime.version());
        assertThat(VersionProvider.churnRadar()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(err()).isEmpty();
    }

    @Test
    void commandHelpListsItsOptions() {
        assertThat(run("backtest", "--help")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar backtest [-h] --events=[FORMAT=]PATH [--events=[FORMAT=]PATH]... --out=DIR",
                "[--config=FILE] [--rules=FILE]", "--parallelism=N", "--max-out-of-orderness=DURATION", "--help");
        assertThat(out()).doesNotContain("--accounts");
    }

    @Test
    void unknownCommandIsNamedWithTheAllowedOnes() {
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'deploy'", "allowed: demo, run, backtest, train, convert, bench, rules, state, help");
    }

    @Test
    void unknownOptionIsNamedWithTheAllowedOnes() {
        assertThat(run("demo", "--acounts", "5")).isEqualTo(2);
        assertThat(err()).contains("Unknown options: '--acounts'", "allowed: --accounts, --days, --speed, --seed, --webhook, --no-web-ui, --help",
                "did you mean --accounts?");
    }

    @Test
    void badValuesAndMissingOptionsAreUsageErrors() {
        assertThat(run("demo", "--speed", "fast")).isEqualTo(2);
        assertThat(err()).contains("demo: Invalid value for option '--speed': 'fast' is not a number");
        assertThat(run("demo", "--speed", "0")).isEqualTo(2);
        assertThat(err()).contains("--speed must be a number from 1 to 1000000000, got '0'");
        assertThat(run("backtest", "--out", "x")).isEqualTo(2);
        assertThat(err()).contains("Missing required option: '--events=[FORMAT=]PATH'");
        assertThat(run("demo", "--days")).isEqualTo(2);
        assertThat(err()).contains("Missing required parameter for option '--days' (N)");
        assertThat(run("demo", "--days", "5", "--days", "6")).isEqualTo(2);
        assertThat(err()).contains("option '--days' (N) should be specified only once");
    }

    @Test
    void badLimitsOfTheBacktestAreUsageErrors() {
        assertThat(run("backtest", "--events", "x", "--out", "y", "--now", "yesterday")).isEqualTo(2);
        assertThat(err()).contains("Invalid value for option '--now': 'yesterday' is not an instant such as 2026-04-01T00:00:00Z");
        assertThat(run("backtest", "--events", "x", "--out", "y", "--max-ahead", "soon")).isEqualTo(2);
        assertThat(err()).contains("Invalid value for option '--max-ahead': 'soon' is not a duration such as 500ms, 30s, 10m, 2h or 30d");
        assertThat(run("backtest", "--events", "x", "--out", "y", "--max-line-bytes", "10")).isEqualTo(2);
        assertThat(err()).contains("--max-line-bytes must be a whole number from 1024 to 16777216, got '10'");
        assertThat(run("backtest", "--events", "x", "--out", "y", "--state-backend", "memory")).isEqualTo(2);
        assertThat(err()).contains("--state-backend must be heap, rocksdb or auto, got 'memory'");
    }

    @Test
    void durationsAreReadAsFlinkReadsThem() {
        // The spellings the README and docs show, and Flink's longer ones, as the config files read them.
        assertThat(Values.duration("30d")).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(Values.duration("1h")).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(Values.duration("10m")).isEqualTo(Values.duration("10 min"));
        assertThat(Values.duration("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(Values.duration("2 days")).isEqualTo(java.time.Duration.ofDays(2));
        // A number alone, which Flink would take for milliseconds, is refused with the units to choose from.
        assertThatThrownBy(() -> Values.duration("1500")).hasMessage("'1500' has no unit: write it as 1500ms, 1500s, 1500m, 1500h or 1500d");
        assertThat(run("backtest", "--events", "h.jsonl", "--out", "results", "--max-out-of-orderness", "5")).isEqualTo(2);
        assertThat(err()).contains("Invalid value for option '--max-out-of-orderness': '5' has no unit");
        assertThat(Values.integer("1_000_000")).isEqualTo(1_000_000);
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("a command is needed", "allowed: demo, run, backtest");
    }

    @Test
    void badConfigFileNamesFileAndKeyWithoutStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path config = dir.resolve("job.yaml");
        java.nio.file.Files.writeString(config, "kafka:\n  startingOffsets: YESTERDAY\n");
        assertThat(run("run", "--config", config.toString())).isEqualTo(2);
        assertThat(err()).contains(config.toString(), "kafka.startingOffsets", "EARLIEST, LATEST, COMMITTED")
                .doesNotContain("\tat ");
    }

    @Test
    void aBootstrapAddressKafkaCannotUseNamesFileAndKeyWithoutStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("job.yaml");
        java.nio.file.Files.writeString(config, "kafka:\n  bootstrapServers: localhost\n");
        assertThat(run("run", "--config", config.toString(), "--state-dir", dir.resolve("state").toString())).isEqualTo(2);
        assertThat(err()).contains(config.toString(), "kafka.bootstrapServers: 'localhost': ", "expected HOST:PORT[,HOST:PORT...]")
                .doesNotContain("\tat ", "KafkaAdminClient");
        assertThat(out()).doesNotContain("Starting Flink");
    }

    @Test
    void aDeduplicationWindowLongerThanTheStateTtlNamesBothFilesBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = dir.resolve("job.yaml");
        java.nio.file.Files.writeString(config, "state:\n  ttl: 30d\n");
        java.nio.file.Path rules = dir.resolve("rules.yaml");
        java.nio.file.Files.writeString(rules, "version: long-window\ndedup:\n  windowDays: 45\n");
        assertThat(run("run", "--config", config.toString(), "--rules", rules.toString())).isEqualTo(2);
        assertThat(err()).contains(rules.toString(), "dedup.windowDays: 45 days is longer than state.ttl (30d, in " + config + ")",
                "allowed: 1 to 30 with this state.ttl, or a state.ttl of at least 45d").doesNotContain("\tat ", "Starting Flink");
        assertThat(out()).doesNotContain("Starting Flink");
    }

    @Test
    void theDocumentedJobConfigIsValidAndHoldsTheDefaults() {
        io.churnradar.config.JobSettings documented =
                io.churnradar.config.JobSettings.load(ChurnRadarHome.root().resolve("flink-conf/churn-radar.yaml"));
        io.churnradar.config.JobSettings defaults = io.churnradar.config.JobSettings.defaults();
        assertThat(documented).usingRecursiveComparison().isEqualTo(defaults);
    }

    @Test
    void anOutOfMemoryErrorIsFoundBehindFlinksExceptions() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        Exception wrapped = new RuntimeException("Job failed", new IllegalStateException("task failed", oom));
        assertThat(Main.outOfMemory(wrapped)).isSameAs(oom);
        assertThat(Main.outOfMemory(new RuntimeException("other"))).isNull();
    }

    @Test
    void aFullDiskSaysWhereTheLauncherWritesAndWhatToChange() {
        java.io.IOException full = new java.io.IOException("No space left on device");
        Exception wrapped = new RuntimeException("merge failed", new java.io.UncheckedIOException(full));
        assertThat(Main.diskFull(wrapped)).isSameAs(full);
        assertThat(Main.diskFull(new java.io.IOException("Connection reset"))).isNull();

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.failure(wrapped, new String[] {"backtest", "--events", "h.jsonl", "--out", "results"},
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(Main.FAILED);
        assertThat(said).startsWith("churn-radar: a disk is full (No space left on device).")
                .contains("--out", System.getProperty("java.io.tmpdir"),
                        "CHURN_RADAR_JAVA_OPTS=-Djava.io.tmpdir=/big/tmp ./churn-radar backtest --events h.jsonl --out results")
                .doesNotContain("\tat "); // what to change, not a stack trace
    }

    @Test
    void whereACommandWritesIsCheckedBeforeItRuns(@TempDir Path dir) throws java.io.IOException {
        Path aFile = Files.writeString(dir.resolve("notes.txt"), "not a folder");
        Path aFolder = Files.createDirectories(dir.resolve("results"));
        Path events = Files.writeString(dir.resolve("events.jsonl"), "");

        // Each is a usage error (exit 2) naming the option and the path, not a stack trace after the work is done.
        assertThat(run("backtest", "--events", events.toString(), "--out", aFile.toString())).isEqualTo(2);
        assertThat(run("backtest", "--events", events.toString(), "--out", aFile.resolve("sub").toString())).isEqualTo(2);
        assertThat(run("convert", "--format", "stripe", "--in", events.toString(), "--out", aFolder.toString())).isEqualTo(2);
        assertThat(run("train", "--events", events.toString(), "--out", aFile.resolve("churn.model").toString())).isEqualTo(2);
        assertThat(run("train", "--events", events.toString(), "--out", dir.resolve("churn.model").toString(),
                "--report", aFolder.toString())).isEqualTo(2);
        assertThat(run("bench", "--json", aFolder.toString())).isEqualTo(2);
        assertThat(run("state", "export", "--savepoint", dir.toString(), "--out", aFile.toString())).isEqualTo(2);

        assertThat(err()).contains(
                "churn-radar: backtest: --out " + aFile + " is a file; give a folder (it is created if missing)",
                "churn-radar: backtest: --out " + aFile.resolve("sub") + ": " + aFile + " is a file, so the folder cannot be created there",
                "churn-radar: convert: --out " + aFolder + " is a folder; give a file, e.g. " + aFolder.resolve("out-results"),
                "churn-radar: train: --out " + aFile.resolve("churn.model") + ": " + aFile + " is a file, so its folder cannot be created",
                "churn-radar: train: --report " + aFolder + " is a folder",
                "churn-radar: bench: --json " + aFolder + " is a folder",
                "churn-radar: state export: --out " + aFile + " is a file")
                .doesNotContain("\tat ", "Exception");
        assertThat(aFile).isRegularFile().hasContent("not a folder");
    }
}
