package io.churnradar.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
        assertThat(run("help")).isZero();
        for (CommandLine.Command c : CommandLine.COMMANDS) {
            assertThat(out()).contains(c.name());
            for (CommandLine.Option o : c.options()) {
                assertThat(out()).contains(o.synopsis());
            }
        }
        assertThat(err()).isEmpty();
    }

    @Test
    void commandHelpListsItsOptions() {
        assertThat(run("backtest", "--help")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar backtest --events [FORMAT=]PATH --out DIR [--config FILE] [--rules FILE]",
                "--parallelism N", "--max-out-of-orderness DURATION", "--help");
        assertThat(out()).doesNotContain("--accounts");
    }

    @Test
    void unknownCommandIsNamedWithTheAllowedOnes() {
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'deploy'", "demo, run, backtest, convert, bench, rules, state, help");
    }

    @Test
    void unknownOptionIsNamedWithTheAllowedOnes() {
        assertThat(run("demo", "--acounts", "5")).isEqualTo(2);
        assertThat(err()).contains("unknown option '--acounts'", "--accounts, --days, --speed, --seed, --webhook, --no-web-ui, --help");
    }

    @Test
    void badValuesAndMissingOptionsAreUsageErrors() {
        assertThat(run("demo", "--speed", "fast")).isEqualTo(2);
        assertThat(err()).contains("--speed must be a number");
        assertThat(run("backtest", "--out", "x")).isEqualTo(2);
        assertThat(err()).contains("--events [FORMAT=]PATH is required");
        assertThat(run("demo", "--days")).isEqualTo(2);
        assertThat(err()).contains("--days needs a value");
    }

    @Test
    void badLimitsOfTheBacktestAreUsageErrors() {
        assertThat(run("backtest", "--events", "x", "--out", "y", "--now", "yesterday")).isEqualTo(2);
        assertThat(err()).contains("--now must be an instant such as 2026-04-01T00:00:00Z, got 'yesterday'");
        assertThat(run("backtest", "--events", "x", "--out", "y", "--max-ahead", "soon")).isEqualTo(2);
        assertThat(err()).contains("--max-ahead must be a duration such as 1h, 7d or 30d, got 'soon'");
        assertThat(run("backtest", "--events", "x", "--out", "y", "--max-line-bytes", "10")).isEqualTo(2);
        assertThat(err()).contains("--max-line-bytes");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).contains("a command is needed");
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
}
