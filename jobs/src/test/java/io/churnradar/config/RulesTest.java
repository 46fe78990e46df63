package io.churnradar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.Severity;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules YAML: every bad key is reported with the file, its key path and what is allowed. */
class RulesTest {
    private static final String SOURCE = "rules/team-rules.yaml";

    private static ConfigException invalid(String yaml) {
        try {
            Rules.parse(yaml, SOURCE);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(SOURCE + ": " + e.errors().size() + " problem(s)");
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void theShippedRulesFileIsValidAndHoldsTheDefaults() throws Exception {
        String yaml;
        try (InputStream in = Rules.class.getClassLoader().getResourceAsStream("rules/default-rules.yaml")) {
            assertThat(in).isNotNull();
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Rules r = Rules.parse(yaml, "default-rules.yaml");
        Rules d = Rules.defaults();
        assertThat(r.version).isEqualTo(d.version).isEqualTo("default-1");
        assertThat(r.dedupWindowDays).isEqualTo(7);
        assertThat(r.usageDrop).usingRecursiveComparison().isEqualTo(d.usageDrop);
        assertThat(r.inactivity).usingRecursiveComparison().isEqualTo(d.inactivity);
        assertThat(r.paymentFailed).usingRecursiveComparison().isEqualTo(d.paymentFailed);
        assertThat(r.ticketSpike).usingRecursiveComparison().isEqualTo(d.ticketSpike);
        assertThat(r.usageDrop.windowDays).isEqualTo(7);
        assertThat(r.usageDrop.minBaseline).isEqualTo(10);
        assertThat(r.usageDrop.dropRatio).isEqualTo(0.30);
        assertThat(r.inactivity.days).isEqualTo(14);
        assertThat(r.paymentFailed.criticalAfterFailures).isEqualTo(3);
        assertThat(r.ticketSpike.minOpened).isEqualTo(3);
        assertThat(r.lookbackDays()).isEqualTo(14);
    }

    @Test
    void onlyTheVersionIsRequiredAndValuesOverrideDefaults() {
        Rules r = Rules.parse("""
                version: "2026-03"
                signals:
                  usageDrop: {dropRatio: 0.5, severity: critical}
                  ticketSpike: {windowDays: 30, enabled: false}
                """, SOURCE);
        assertThat(r.version).isEqualTo("2026-03");
        assertThat(r.usageDrop.dropRatio).isEqualTo(0.5);
        assertThat(r.usageDrop.severity).isEqualTo(Severity.CRITICAL);
        assertThat(r.usageDrop.windowDays).isEqualTo(7);
        assertThat(r.ticketSpike.enabled).isFalse();
        assertThat(r.lookbackDays()).isEqualTo(30);
    }

    @Test
    void anUnknownKeyIsNamedWithTheAllowedOnes() {
        ConfigException e = invalid("""
                version: v1
                signals:
                  usageDrop:
                    windowDay: 7
                """);
        assertThat(e.errors()).containsExactly("signals.usageDrop.windowDay: unknown key; allowed keys here: "
                + "dropRatio, enabled, minBaseline, severity, windowDays");
        assertThat(e.getMessage()).contains(SOURCE, "signals.usageDrop.windowDay", "windowDays");
    }

    @Test
    void unknownKeysAtTheTopAndUnderSignalsAreReported() {
        ConfigException e = invalid("""
                version: v1
                thresholds: {}
                signals:
                  churnScore: {enabled: true}
                """);
        assertThat(e.errors()).containsExactly(
                "thresholds: unknown key; allowed keys here: dedup, health, signals, version",
                "signals.churnScore: unknown key; allowed keys here: cancellationRequested, cardExpiring, churned, "
                        + "coreFeatureUnused, downgrade, inactivity, lowCsat, npsDetractor, onboardingStalled, paymentFailed, "
                        + "renewalAtRisk, ticketSpike, urgentTicketAging, usageDrop");
    }

    @Test
    void outOfRangeValuesNameTheRange() {
        ConfigException e = invalid("""
                version: v1
                dedup: {windowDays: 400}
                signals:
                  usageDrop: {dropRatio: 1.5, windowDays: 0, minBaseline: -1}
                  paymentFailed: {criticalAfterFailures: 0}
                  ticketSpike: {minOpened: 0}
                """);
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "dedup.windowDays: must be between 1 and 365, got 400",
                "signals.usageDrop.windowDays: must be between 1 and 90, got 0",
                "signals.usageDrop.minBaseline: must be between 0 and 1.0E15, got -1",
                "signals.usageDrop.dropRatio: must be between 0.01 and 1, got 1.5",
                "signals.paymentFailed.criticalAfterFailures: must be between 1 and 100, got 0",
                "signals.ticketSpike.minOpened: must be between 1 and 10000, got 0");
    }

    @Test
    void valuesOfTheWrongTypeAreReported() {
        ConfigException e = invalid("""
                version: v1
                signals:
                  inactivity: {days: fourteen, enabled: 3}
                  usageDrop: {windowDays: 7.5, dropRatio: a-third}
                """);
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "signals.inactivity.enabled: expected true or false, got '3'",
                "signals.inactivity.days: expected a whole number between 1 and 365, got 'fourteen'",
                "signals.usageDrop.windowDays: expected a whole number between 1 and 90, got '7.5'",
                "signals.usageDrop.dropRatio: expected a number between 0.01 and 1, got 'a-third'");
    }

    @Test
    void aBadSeverityShowsTheAllowedValues() {
        ConfigException e = invalid("""
                version: v1
                signals:
                  ticketSpike: {severity: SEVERE}
                """);
        assertThat(e.errors()).containsExactly(
                "signals.ticketSpike.severity: 'SEVERE' is not allowed; allowed values: LOW, MEDIUM, HIGH, CRITICAL");
    }

    @Test
    void theVersionIsRequired() {
        ConfigException e = invalid("""
                signals:
                  inactivity: {days: 10}
                """);
        assertThat(e.errors()).singleElement().asString().startsWith("version: missing");
        assertThat(invalid("").errors()).singleElement().asString().startsWith("version: missing");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = invalid("""
                signals:
                  usageDrop: {severity: urgent, dropRatio: 2}
                  inactivity: {dayz: 3}
                """);
        assertThat(e.errors()).hasSize(4);
        assertThat(e.getMessage()).contains("version", "signals.usageDrop.severity", "signals.usageDrop.dropRatio",
                "signals.inactivity.dayz");
    }

    @Test
    void textThatIsNotAMappingOrNotYamlIsRejected() {
        assertThatThrownBy(() -> Rules.parse("- a\n- b\n", SOURCE)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SOURCE).hasMessageContaining("(root): expected a mapping of keys");
        assertThatThrownBy(() -> Rules.parse("version: [v1\n", SOURCE)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(SOURCE).hasMessageContaining("not valid YAML");
        ConfigException e = invalid("version: v1\nsignals: [usageDrop]\n");
        assertThat(e.errors()).containsExactly("signals: expected a mapping of keys");
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "version: v1\nsignals:\n  usageDrop: {dropRatio: 0}\n");
        assertThatThrownBy(() -> Rules.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": 1 problem(s)")
                .hasMessageContaining("signals.usageDrop.dropRatio: must be between 0.01 and 1, got 0");
        assertThatThrownBy(() -> Rules.load(dir.resolve("missing.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml").hasMessageContaining("cannot read the file");
    }
}
