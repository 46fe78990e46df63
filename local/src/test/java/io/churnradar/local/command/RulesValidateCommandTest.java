package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.ChurnRadarHome;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./churn-radar rules validate FILE}: offline, each error with its key path, exit 0 or 1; and the rules group's command line. */
class RulesValidateCommandTest {
    static {
        TestTmp.ensure();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

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
    void theShippedDefaultRulesAreValid() {
        Path defaults = ChurnRadarHome.root().resolve("jobs/src/main/resources/rules/default-rules.yaml");
        assertThat(run("rules", "validate", defaults.toString())).isZero();
        assertThat(out()).isEqualTo(defaults + ": valid, version default-1\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void aFileFarLargerThanARulesFileIsRefusedUnread() throws Exception {
        Path big = dir.resolve("events.yaml");
        Files.write(big, new byte[io.churnradar.config.YamlTree.MAX_FILE_BYTES + 1]);
        assertThat(run("rules", "validate", big.toString())).isEqualTo(1);
        assertThat(out()).contains(big + ": (file): larger than 4 MiB, too large for a rules or settings file");
    }

    @Test
    void withTheJobsSettingsAWindowLongerThanItsStateTtlIsNotValid() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: long-window\ndedup: {windowDays: 40}\n");
        Path config = Files.writeString(dir.resolve("job.yaml"), "state: {ttl: 30d}\n");
        assertThat(run("rules", "validate", rules.toString())).as("within the default state.ttl (90d)").isZero();
        out.reset();
        Path longer = Files.writeString(dir.resolve("longer.yaml"), "version: longer\ndedup: {windowDays: 100}\n");
        assertThat(run("rules", "validate", longer.toString())).as("the job with its default settings refuses it").isEqualTo(1);
        assertThat(out()).contains("dedup.windowDays: 100 days is longer than state.ttl (90d, the default; --config FILE checks against the job's)");
        out.reset();
        assertThat(run("rules", "validate", rules.toString(), "--config", config.toString())).isEqualTo(1);
        assertThat(out()).contains(rules + ": not valid (version long-window)",
                "dedup.windowDays: 40 days is longer than state.ttl (30d, in " + config + ")",
                "allowed: 1 to 30 with this state.ttl, or a state.ttl of at least 40d");
        out.reset();
        Files.writeString(config, "state: {ttl: 40d}\n");
        assertThat(run("rules", "validate", rules.toString(), "--config", config.toString())).isZero();
    }

    @Test
    void anInvalidFileListsEachErrorWithItsKeyPath() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yaml"), """
                version: v7
                dedup: {windowDays: 0}
                signals:
                  paymentFailed: {severity: SEVERE}
                  inactivity: {days: fourteen}
                  ticketSpike: {minOpend: 2}
                """);
        assertThat(run("rules", "validate", file.toString())).isEqualTo(1);
        List<String> lines = out().lines().toList();
        assertThat(lines.get(0)).isEqualTo(file + ": not valid (version v7), 4 problems:");
        assertThat(lines.subList(1, lines.size())).extracting(l -> l.substring(0, l.indexOf(": ")).trim())
                .containsExactlyInAnyOrder("dedup.windowDays", "signals.paymentFailed.severity", "signals.inactivity.days",
                        "signals.ticketSpike.minOpend");
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\tat "));
        assertThat(out()).contains("  signals.paymentFailed.severity: 'SEVERE' is not allowed; allowed values: LOW, MEDIUM, HIGH, CRITICAL");
    }

    @Test
    void aFileWithoutAVersionOrNotYamlIsNotValid() throws Exception {
        Path noVersion = Files.writeString(dir.resolve("a.yaml"), "signals: {inactivity: {days: 3}}\n");
        assertThat(run("rules", "validate", noVersion.toString())).isEqualTo(1);
        assertThat(out()).contains(noVersion + ": not valid, 1 problem:", "  version: missing");

        Path notYaml = Files.writeString(dir.resolve("b.yaml"), "version: [unclosed\n");
        assertThat(run("rules", "validate", notYaml.toString())).isEqualTo(1);
        assertThat(out()).contains(notYaml + ": not valid, 1 problem:", "  not valid YAML");
    }

    @Test
    void aMissingFileIsNotValid() {
        assertThat(run("rules", "validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(out()).contains("nope.yaml: no such file");
    }

    @Test
    void theCommandLineOfTheRulesGroup() throws Exception {
        assertThat(run("rules", "validate")).isEqualTo(2);
        assertThat(err()).contains("rules validate: Missing required parameter: 'FILE'");
        assertThat(run("rules")).isEqualTo(2);
        assertThat(err()).contains("rules: a subcommand is needed", "allowed: publish, validate");
        assertThat(run("rules", "delete", "x")).isEqualTo(2);
        assertThat(err()).contains("rules: unknown subcommand 'delete'", "allowed: publish, validate");
        assertThat(run("rules", "validate", "a.yaml", "b.yaml")).isEqualTo(2);
        assertThat(err()).contains("Unmatched argument at index 3: 'b.yaml'");
        assertThat(run("rules", "publish", "a.yaml")).isEqualTo(2);
        assertThat(err()).contains("Missing required option: '--bootstrap-servers=HOST:PORT'");
        assertThat(run("rules", "publish", "a.yaml", "--bootstrap-servers", "x:1", "--wait", "soon")).isEqualTo(2);
        assertThat(err()).contains("Invalid value for option '--wait': 'soon' is not a duration");
        // A valid file, then options that name no place to publish to: usage errors, before any connection.
        Path valid = Files.writeString(dir.resolve("ok.yaml"), "version: v1\n");
        assertThat(run("rules", "publish", valid.toString(), "--bootstrap-servers", "x:1", "--topic", "")).isEqualTo(2);
        assertThat(err()).contains("--topic: give the rules topic's name (default churn.rules)");
        assertThat(run("rules", "publish", valid.toString(), "--bootstrap-servers", "notaport")).isEqualTo(2);
        assertThat(err()).contains("--bootstrap-servers 'notaport': ", "expected HOST:PORT[,HOST:PORT...]");
    }

    @Test
    void helpOfTheRulesCommands() {
        assertThat(run("rules", "--help")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar rules [-h] (validate | publish)", "Commands:",
                "  validate  check a rules file offline", "  publish   validate a rules file, then publish it");
        out.reset();
        assertThat(run("help", "rules")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar rules validate [-h] [--config=FILE] FILE",
                "Usage: ./churn-radar rules publish [-h] [--bootstrap-servers=HOST:PORT] [--config=FILE] [--topic=TOPIC]");
        out.reset();
        assertThat(run("help", "rules", "publish")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar rules publish", "--status-topic=TOPIC").doesNotContain("Usage: ./churn-radar rules validate");
        out.reset();
        assertThat(run("rules", "validate", "--help")).isZero();
        assertThat(out()).contains("Usage: ./churn-radar rules validate [-h] [--config=FILE] FILE", "Arguments:", "FILE", "--config=FILE");
        out.reset();
        assertThat(run("help")).isZero();
        assertThat(out()).contains("  rules     check a rules file offline, or publish it", "Usage: ./churn-radar rules validate",
                "Usage: ./churn-radar rules publish");
    }
}
