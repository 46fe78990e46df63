package io.churnradar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.Severity;
import io.churnradar.signals.card.CardExpiringSignal;
import io.churnradar.signals.features.CoreFeatureUnusedSignal;
import io.churnradar.signals.features.OnboardingStalledSignal;
import io.churnradar.signals.feedback.LowCsatSignal;
import io.churnradar.signals.feedback.NpsDetractorSignal;
import io.churnradar.signals.inactivity.InactivitySignal;
import io.churnradar.signals.payment.PaymentFailedSignal;
import io.churnradar.signals.renewal.RenewalAtRiskSignal;
import io.churnradar.signals.subscription.CancellationSignals;
import io.churnradar.signals.subscription.DowngradeSignal;
import io.churnradar.signals.tickets.TicketSpikeSignal;
import io.churnradar.signals.tickets.UrgentTicketAgingSignal;
import io.churnradar.signals.usage.UsageDropSignal;
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
            assertThat(e.getMessage()).startsWith(SOURCE + ": " + e.errors().size() + (e.errors().size() == 1 ? " problem" : " problems"));
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
        assertThat(r).usingRecursiveComparison().isEqualTo(d);
        assertThat(r.version).isEqualTo(d.version).isEqualTo("default-1");
        assertThat(r.dedupWindowDays).isEqualTo(7);
        assertThat(r.signal(UsageDropSignal.SPEC)).usingRecursiveComparison().isEqualTo(d.signal(UsageDropSignal.SPEC));
        assertThat(r.signal(InactivitySignal.SPEC)).usingRecursiveComparison().isEqualTo(d.signal(InactivitySignal.SPEC));
        assertThat(r.signal(PaymentFailedSignal.SPEC)).usingRecursiveComparison().isEqualTo(d.signal(PaymentFailedSignal.SPEC));
        assertThat(r.signal(TicketSpikeSignal.SPEC)).usingRecursiveComparison().isEqualTo(d.signal(TicketSpikeSignal.SPEC));
        assertThat(r.signal(UsageDropSignal.SPEC).windowDays).isEqualTo(7);
        assertThat(r.signal(UsageDropSignal.SPEC).minBaseline).isEqualTo(10);
        assertThat(r.signal(UsageDropSignal.SPEC).dropRatio).isEqualTo(0.30);
        assertThat(r.signal(InactivitySignal.SPEC).days).isEqualTo(14);
        assertThat(r.signal(PaymentFailedSignal.SPEC).criticalAfterFailures).isEqualTo(3);
        assertThat(r.signal(TicketSpikeSignal.SPEC).minOpened).isEqualTo(3);
        assertThat(r.lookbackDays()).isEqualTo(14);
        assertThat(r.signal(NpsDetractorSignal.SPEC).maxScore).isEqualTo(6);
        assertThat(r.signal(NpsDetractorSignal.SPEC).resolveAtScore).isEqualTo(7);
        assertThat(r.signal(LowCsatSignal.SPEC).maxScore).isEqualTo(2);
        assertThat(r.signal(LowCsatSignal.SPEC).resolveAtScore).isEqualTo(4);
        assertThat(r.signal(UrgentTicketAgingSignal.SPEC).hours).isEqualTo(48);
        assertThat(r.signal(CardExpiringSignal.SPEC).days).isEqualTo(30);
        assertThat(r.signal(CoreFeatureUnusedSignal.SPEC).days).isEqualTo(10);
        assertThat(r.signal(CoreFeatureUnusedSignal.SPEC).coreFeatures).isEmpty();
        assertThat(r.signal(CoreFeatureUnusedSignal.SPEC).active()).as("no core features: off").isFalse();
        assertThat(r.signal(OnboardingStalledSignal.SPEC).days).isEqualTo(14);
        assertThat(r.signal(OnboardingStalledSignal.SPEC).minFeatures).isEqualTo(3);
        assertThat(r.signal(DowngradeSignal.SPEC).dropRatio).isEqualTo(0.20);
        assertThat(r.signal(CancellationSignals.REQUESTED).severity).isEqualTo(Severity.HIGH);
        assertThat(r.signal(CancellationSignals.CHURNED).severity).isEqualTo(Severity.CRITICAL);
        assertThat(r.signal(RenewalAtRiskSignal.SPEC).withinDays).isEqualTo(60);
        assertThat(r.signal(RenewalAtRiskSignal.SPEC).belowScore).isEqualTo(50);
        assertThat(r.health.weights.sum()).isEqualTo(100);
        assertThat(r.health.greenFrom).isEqualTo(75);
        assertThat(r.health.yellowFrom).isEqualTo(50);
        assertThat(r.health.minScoreChange).isEqualTo(5);
    }

    @Test
    void everyNewSignalCanBeConfiguredAndSwitchedOff() {
        Rules r = Rules.parse("""
                version: v2
                signals:
                  npsDetractor: {enabled: false, severity: high, maxScore: 4, resolveAtScore: 9}
                  lowCsat: {enabled: false, maxScore: 1, resolveAtScore: 5}
                  urgentTicketAging: {enabled: false, hours: 24}
                  cardExpiring: {enabled: false, days: 14, severity: low}
                  coreFeatureUnused: {days: 7, coreFeatures: [reports, " dashboards ", reports]}
                  onboardingStalled: {enabled: false, days: 30, minFeatures: 5}
                  downgrade: {enabled: false, dropRatio: 0.1, highDropRatio: 0.3}
                  cancellationRequested: {enabled: false, severity: critical}
                  churned: {enabled: false}
                  renewalAtRisk: {enabled: false, withinDays: 90, belowScore: 40}
                health:
                  weights: {usageTrend: 40, loginRecency: 10, featureBreadth: 10, supportBurden: 10, paymentHealth: 20, sentiment: 10}
                  tiers: {green: 80, yellow: 60}
                  featureWindowDays: 14
                  featureTarget: 5
                  minScoreChange: 10
                """, SOURCE);
        assertThat(r.signal(NpsDetractorSignal.SPEC).enabled).isFalse();
        assertThat(r.signal(NpsDetractorSignal.SPEC).severity).isEqualTo(Severity.HIGH);
        assertThat(r.signal(NpsDetractorSignal.SPEC).maxScore).isEqualTo(4);
        assertThat(r.signal(LowCsatSignal.SPEC).resolveAtScore).isEqualTo(5);
        assertThat(r.signal(UrgentTicketAgingSignal.SPEC).hours).isEqualTo(24);
        assertThat(r.signal(CardExpiringSignal.SPEC).severity).isEqualTo(Severity.LOW);
        assertThat(r.signal(CoreFeatureUnusedSignal.SPEC).coreFeatures).containsExactly("reports", "dashboards");
        assertThat(r.signal(CoreFeatureUnusedSignal.SPEC).active()).isTrue();
        assertThat(r.signal(OnboardingStalledSignal.SPEC).minFeatures).isEqualTo(5);
        assertThat(r.signal(DowngradeSignal.SPEC).highDropRatio).isEqualTo(0.3);
        assertThat(r.signal(CancellationSignals.REQUESTED).severity).isEqualTo(Severity.CRITICAL);
        assertThat(r.signal(CancellationSignals.CHURNED).enabled).isFalse();
        assertThat(r.signal(RenewalAtRiskSignal.SPEC).belowScore).isEqualTo(40);
        assertThat(r.health.weights.usageTrend).isEqualTo(40);
        assertThat(r.health.greenFrom).isEqualTo(80);
        assertThat(r.health.featureWindowDays).isEqualTo(14);
        assertThat(r.health.minScoreChange).isEqualTo(10);
    }

    @Test
    void theWeightsMustSumToOneHundred() {
        ConfigException e = invalid("""
                version: v1
                health:
                  weights: {usageTrend: 30, sentiment: 0}
                """);
        assertThat(e.errors()).containsExactly("health.weights: the weights must sum to 100, got 95 (usageTrend 30 + loginRecency 20"
                + " + featureBreadth 15 + supportBurden 15 + paymentHealth 15 + sentiment 0); a weight left out keeps its default");
        assertThat(invalid("version: v1\nhealth:\n  weights: {paymentHealth: -5, sentiment: 30}\n").errors())
                .contains("health.weights.paymentHealth: must be between 0 and 100, got -5");
        assertThat(invalid("version: v1\nhealth:\n  weights: {paymentHealth: many}\n").errors())
                .contains("health.weights.paymentHealth: expected a number between 0 and 100, got 'many'");
        assertThat(invalid("version: v1\nhealth:\n  weights: {churn: 5}\n").errors()).containsExactly(
                "health.weights.churn: unknown key; allowed keys here: featureBreadth, loginRecency, paymentHealth, sentiment, "
                        + "supportBurden, usageTrend");
        Rules fractions = Rules.parse("version: v1\nhealth:\n  weights: {usageTrend: 24.5, sentiment: 10.5}\n", SOURCE);
        assertThat(fractions.health.weights.sum()).isEqualTo(100);
    }

    @Test
    void aVersionYamlReadsAsANumberOrABooleanMustBeQuoted() {
        assertThat(invalid("version: 1.10\n").errors()).containsExactly(
                "version: read as a number (1.1), not as written: quote it, e.g. version: \"2026-04\"");
        assertThat(invalid("version: true\n").errors()).singleElement().asString().contains("read as a boolean");
        assertThat(Rules.parse("version: \"1.10\"\n", "test").version).isEqualTo("1.10");
    }

    @Test
    void aPlaybookTriggerMustNameASignalAndAMisspelledOneIsOneProblem() {
        assertThat(invalid("version: v1\nplaybooks:\n  p1:\n    trigger: {signals: []}\n    steps: [{action: NOTIFY_SLACK}]\n").errors())
                .singleElement().asString().startsWith("playbooks.p1.trigger.signals: name at least one signal");
        assertThat(invalid("version: v1\nplaybooks:\n  p1:\n    trigger: {signals: [USAGE_DROPP]}\n    steps: [{action: NOTIFY_SLACK}]\n")
                .errors()).singleElement().asString().startsWith("playbooks.p1.trigger.signals[0]: 'USAGE_DROPP' is not allowed");
    }

    @Test
    void aKeyWithoutAValueIsAMistakeNotTheDefault() {
        assertThat(invalid("version: v1\nsignals:\n  inactivity:\n    days:\n  paymentFailed:\n    severity:\n").errors())
                .containsExactlyInAnyOrder(
                        "signals.inactivity.days: no value: give one, or leave the key out for its default",
                        "signals.paymentFailed.severity: no value: give one, or leave the key out for its default");
        assertThat(invalid("version:\n").errors()).containsExactly("version: no value: give one, or leave the key out for its default");
        // A section without keys is one: its settings keep their defaults.
        assertThat(Rules.parse("version: v1\nsignals:\n", "test").version).isEqualTo("v1");
    }

    @Test
    void tierBoundsMustBeOrderedWithin0To100() {
        assertThat(invalid("version: v1\nhealth:\n  tiers: {green: 50, yellow: 60}\n").errors()).containsExactly(
                "health.tiers: yellow (60) must be below green (50): a score >= green is GREEN, >= yellow YELLOW, below yellow RED");
        assertThat(invalid("version: v1\nhealth:\n  tiers: {green: 50, yellow: 50}\n").errors()).hasSize(1);
        assertThat(invalid("version: v1\nhealth:\n  tiers: {green: 101, yellow: -1}\n").errors()).containsExactlyInAnyOrder(
                "health.tiers.green: must be between 0 and 100, got 101",
                "health.tiers.yellow: must be between 0 and 100, got -1");
        assertThat(invalid("version: v1\nhealth:\n  tiers: {red: 10}\n").errors())
                .containsExactly("health.tiers.red: unknown key; allowed keys here: green, yellow");
        Rules r = Rules.parse("version: v1\nhealth:\n  tiers: {green: 100, yellow: 0}\n", SOURCE);
        assertThat(r.health.greenFrom).isEqualTo(100);
    }

    @Test
    void theNewSignalsReportTheirKeysAndRanges() {
        ConfigException e = invalid("""
                version: v1
                signals:
                  npsDetractor: {maxScore: 11, resolveAtScore: 10}
                  lowCsat: {maxScore: 3, resolveAtScore: 3}
                  urgentTicketAging: {hours: 0}
                  cardExpiring: {days: -1, severity: soon}
                  coreFeatureUnused: {coreFeatures: reports}
                  onboardingStalled: {minFeatures: 17, day: 3}
                  downgrade: {dropRatio: 0.5, highDropRatio: 0.4}
                  churned: {reason: x}
                  renewalAtRisk: {withinDays: 0, belowScore: 101}
                """);
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "signals.npsDetractor.maxScore: must be between 0 and 9, got 11",
                "signals.lowCsat.resolveAtScore: must be above maxScore (3), got 3",
                "signals.urgentTicketAging.hours: must be between 1 and 2160, got 0",
                "signals.cardExpiring.days: must be between 0 and 365, got -1",
                "signals.cardExpiring.severity: 'soon' is not allowed; allowed values: LOW, MEDIUM, HIGH, CRITICAL",
                "signals.coreFeatureUnused.coreFeatures: expected a list of feature names such as [reports, dashboards], got 'reports'",
                "signals.onboardingStalled.minFeatures: must be between 1 and 16, got 17",
                "signals.onboardingStalled.day: unknown key; allowed keys here: days, enabled, minFeatures, severity",
                "signals.downgrade.highDropRatio: must be at least dropRatio (0.5), got 0.4",
                "signals.churned.reason: unknown key; allowed keys here: enabled, severity",
                "signals.renewalAtRisk.withinDays: must be between 1 and 366, got 0",
                "signals.renewalAtRisk.belowScore: must be between 1 and 100, got 101");
        // A value out of its range is reported once: its default, which the user never wrote, is not compared with another key.
        assertThat(invalid("""
                version: v1
                signals:
                  npsDetractor: {maxScore: 9, resolveAtScore: 11}
                  lowCsat: {maxScore: 5, resolveAtScore: 5}
                  downgrade: {dropRatio: 2, highDropRatio: 0.1}
                  churnRisk: {raiseAt: 0.2, resolveBelow: 1.5}
                health: {weights: {usageTrend: 130}, tiers: {green: 40, yellow: -1}}
                """).errors()).containsExactlyInAnyOrder(
                        "signals.npsDetractor.resolveAtScore: must be between 1 and 10, got 11",
                        "signals.lowCsat.maxScore: must be between 1 and 4, got 5",
                        "signals.downgrade.dropRatio: must be between 0.01 and 1, got 2",
                        "signals.churnRisk.resolveBelow: must be between 0 and 1, got 1.5",
                        "health.weights.usageTrend: must be between 0 and 100, got 130",
                        "health.tiers.yellow: must be between 0 and 100, got -1");
        assertThat(invalid("version: ''\n").errors()).containsExactly("version: expected a non-empty text value");
        assertThat(invalid("version: \"v1\\nv2\"\n").errors()).containsExactly(
                "version: expected one line of at most 128 characters without control characters, got 5 characters with control characters");
        assertThat(invalid("version: " + "v".repeat(129) + "\n").errors()).containsExactly(
                "version: expected one line of at most 128 characters without control characters, got 129 characters");
        assertThat(invalid("version: v1\nsignals:\n  urgentTicketAging: {hours: 99999999999999999999999}\n").errors())
                .containsExactly("signals.urgentTicketAging.hours: must be between 1 and 2160, got 99999999999999999999999");
        assertThat(invalid("version: v1\nsignals:\n  coreFeatureUnused: {coreFeatures: [reports, '', {a: 1}]}\n").errors())
                .containsExactly("signals.coreFeatureUnused.coreFeatures[1]: expected a non-empty feature name",
                        "signals.coreFeatureUnused.coreFeatures[2]: expected a non-empty feature name");
        assertThat(invalid("version: v1\nhealth: {featureWindowDays: 31, featureTarget: 0, minScoreChange: 0, decay: 1}\n").errors())
                .containsExactlyInAnyOrder(
                        "health.featureWindowDays: must be between 1 and 30, got 31",
                        "health.featureTarget: must be between 1 and 16, got 0",
                        "health.minScoreChange: must be between 1 and 100, got 0",
                        "health.decay: unknown key; allowed keys here: featureTarget, featureWindowDays, minScoreChange, tiers, weights");
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
        assertThat(r.signal(UsageDropSignal.SPEC).dropRatio).isEqualTo(0.5);
        assertThat(r.signal(UsageDropSignal.SPEC).severity).isEqualTo(Severity.CRITICAL);
        assertThat(r.signal(UsageDropSignal.SPEC).windowDays).isEqualTo(7);
        assertThat(r.signal(TicketSpikeSignal.SPEC).enabled).isFalse();
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
                "thresholds: unknown key; allowed keys here: commands, dedup, health, model, playbooks, privacy, signals, version",
                "signals.churnScore: unknown key; allowed keys here: cancellationRequested, cardExpiring, churnRisk, churned, "
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
        // true and false in quotes mean what they say; a list where one value goes is named as a list.
        Rules r = Rules.parse("version: v1\nsignals:\n  inactivity: {enabled: \"false\"}\n", SOURCE);
        assertThat(r.signal(io.churnradar.signals.inactivity.InactivitySignal.SPEC).enabled).isFalse();
        assertThat(invalid("version: v1\nsignals:\n  inactivity: {severity: [HIGH], enabled: [true]}\n").errors()).containsExactlyInAnyOrder(
                "signals.inactivity.severity: expected one value, got a list [\"HIGH\"]; allowed values: LOW, MEDIUM, HIGH, CRITICAL",
                "signals.inactivity.enabled: expected true or false, got a list [true]");
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
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("not valid YAML at line 2, column 1: expected ',' or ']', but got <stream end>"
                        + " (while parsing a flow sequence from line 1, column 10)");
        // A tab where YAML wants spaces: the place of the tab, and what the parser found.
        assertThatThrownBy(() -> Rules.parse("version: v1\nsignals:\n\tinactivity:\n    days: 3\n", SOURCE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML at line 3, column 1: ");
        // A key twice, which a parser would otherwise let the last one win without a word.
        assertThatThrownBy(() -> Rules.parse("version: v1\nversion: v2\n", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML at line 2, column 8: the key 'version' is given twice in one mapping; keep one");
        ConfigException e = invalid("version: v1\nsignals: [usageDrop]\n");
        assertThat(e.errors()).containsExactly("signals: expected a mapping of keys");
        // A second document would be passed over: its keys neither checked nor used.
        assertThat(invalid("version: a\nsignals: {inactivity: {days: 7}}\n---\nsignals: {inactivity: {days: 0}}\n").errors())
                .containsExactly("(root): the file holds more than one YAML document (a second one starts at line 4); keep one, without ---");
        assertThat(Rules.parse("---\nversion: a\n", SOURCE).version).isEqualTo("a"); // one document, marked as such
        assertThat(invalid("# nothing yet\n").errors()).containsExactly(
                "version: missing; every rules file names its version, alerts carry it as ruleVersion");
    }

    @Test
    void loadNamesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, "version: v1\nsignals:\n  usageDrop: {dropRatio: 0}\n");
        assertThatThrownBy(() -> Rules.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": 1 problem")
                .hasMessageContaining("signals.usageDrop.dropRatio: must be between 0.01 and 1, got 0");
        assertThatThrownBy(() -> Rules.load(dir.resolve("missing.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml").hasMessageContaining("cannot read the file");
    }

    @Test
    void playbooksAreCheckedWithTheirKeyPaths() {
        ConfigException e = invalid("""
                version: v1
                commands:
                  frequencyCap: {max: 0}
                playbooks:
                  dunning: {holdoutPercent: 150}
                  card-expiring: {trigger: {signals: [USAGE_DROP]}}
                  Bad_Name: {trigger: {signals: [USAGE_DROP]}, steps: [{action: ENROLL_JOURNEY}]}
                  my-play:
                    trigger: {signals: [USAGE_DRIP], minSeverity: HUGE, tiers: [BLUE]}
                    steps:
                      - {action: CALL_THEM}
                      - {action: ENROLL_JOURNEY, delay: 3d, params: {apiToken: x}}
                      - {action: SEND_SURVEY, delay: 1d}
                      - {action: SEND_SURVEY, beforeExpiry: 7d}
                      - {action: CREATE_CSM_TASK, delay: 5d, params: {dueInDays: soon, task: "call {accountName}"}}
                      - {action: CREATE_CSM_TASK, delay: 6d, params: {dueInDays: "-5", note: "{healthScore} {signal}"}}
                  no-steps: {trigger: {signals: [ANY]}}
                """);
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "commands.frequencyCap.max: must be between 1 and 20, got 0",
                "playbooks.dunning.holdoutPercent: must be between 0 and 100, got 150",
                "playbooks.card-expiring.trigger: the shipped steps of 'card-expiring' fall due before the card's expiry (beforeExpiry),"
                        + " which only a playbook triggered by CARD_EXPIRING alone knows; keep signals: [CARD_EXPIRING], or give steps with delay",
                "playbooks.Bad_Name: a playbook name is 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit",
                "playbooks.my-play.trigger.signals[0]: 'USAGE_DRIP' is not allowed; allowed values: ANY, USAGE_DROP, INACTIVITY, "
                        + "PAYMENT_FAILED, TICKET_SPIKE, NPS_DETRACTOR, LOW_CSAT, URGENT_TICKET_AGING, CARD_EXPIRING, CORE_FEATURE_UNUSED, "
                        + "ONBOARDING_STALLED, DOWNGRADE, CANCELLATION_REQUESTED, CHURNED, RENEWAL_AT_RISK, CHURN_RISK",
                "playbooks.my-play.trigger.minSeverity: 'HUGE' is not allowed; allowed values: LOW, MEDIUM, HIGH, CRITICAL",
                "playbooks.my-play.trigger.tiers[0]: 'BLUE' is not allowed; allowed values: GREEN, YELLOW, RED",
                "playbooks.my-play.steps[0].action: 'CALL_THEM' is not allowed; allowed values: SEND_DUNNING_EMAIL, NOTIFY_CARD_EXPIRING, "
                        + "ENROLL_JOURNEY, OFFER_SAVE, START_WIN_BACK, SEND_SURVEY, OFFBOARDING_SURVEY, CREATE_CSM_TASK, RETRY_PAYMENT, "
                        + "NOTIFY_SLACK, UPDATE_CRM",
                "playbooks.my-play.steps[1].params.apiToken: secrets never go in the rules file: set them in the webhook settings "
                        + "(an environment variable or a file)",
                "playbooks.my-play.steps[3].beforeExpiry: only a playbook triggered by CARD_EXPIRING alone knows an expiry; use delay",
                "playbooks.my-play.steps[2]: steps must come in the order they fall due (delays rising, beforeExpiry falling, not mixed)",
                "playbooks.my-play.steps[4].params.dueInDays: expected a whole number of days from 0 to 3650 (the task's dueAt is the"
                        + " decision time plus it), got 'soon'",
                "playbooks.my-play.steps[4].params.task: '{accountName}' is not a placeholder; allowed: {signal}, {severity}, {healthScore},"
                        + " {healthTier}, {plan}, {mrrMinor}, {alertId}",
                "playbooks.my-play.steps[5].params.dueInDays: expected a whole number of days from 0 to 3650 (the task's dueAt is the"
                        + " decision time plus it), got '-5'",
                "playbooks.no-steps: a new playbook needs a trigger and steps (shipped playbooks: dunning, dunning-exhausted, "
                        + "re-engagement, re-engagement-high-value, close-the-loop, card-expiring, onboarding-rescue, save-offer, win-back, "
                        + "renewal-rescue, high-risk-slack)");
    }

    @Test
    void aShippedPlaybookIsOverriddenKeyByKeyAndANewOneAdded() {
        Rules r = Rules.parse("""
                version: v1
                commands: {holdoutPercent: 20, frequencyCap: {max: 5, windowDays: 14}}
                playbooks:
                  dunning: {enabled: false}
                  win-back: {holdoutPercent: 0}
                  vip-care:
                    trigger: {signals: [USAGE_DROP], minSeverity: HIGH, tiers: [RED], segment: {plans: [enterprise], minMrrMinor: 100000}}
                    steps:
                      - {action: CREATE_CSM_TASK, params: {priority: HIGH}}
                      - {action: NOTIFY_SLACK, delay: 2d, params: {channel: "#vip"}}
                """, "test.yaml");
        var p = r.playbooks;
        assertThat(p.capMax).isEqualTo(5);
        assertThat(p.capWindowDays).isEqualTo(14);
        assertThat(p.byName("dunning").enabled).isFalse();
        assertThat(p.byName("dunning").steps).hasSize(6);
        assertThat(p.byName("win-back").holdoutPercent).isZero();
        assertThat(p.byName("re-engagement").holdoutPercent).isEqualTo(20);
        assertThat(p.byName("high-risk-slack").holdoutPercent).isZero();
        var vip = p.byName("vip-care");
        assertThat(vip.holdoutPercent).isEqualTo(20);
        assertThat(vip.trigger.tiers).containsExactly("RED");
        assertThat(vip.trigger.segment.plans).containsExactly("enterprise");
        assertThat(vip.steps.get(1).delayMs).isEqualTo(2 * 86_400_000L);
        assertThat(p.playbooks).extracting(b -> b.name).endsWith("high-risk-slack", "vip-care");
        assertThat(Rules.parse("version: v1\ncommands: {enabled: false}\n", "t").playbooks.playbooks).isEmpty();
    }
}
