package io.churnradar.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers that keep the rules readable without Flink: the playbooks, their outcome statistics and
 * the signal catalog import no Flink, Kafka, launcher or detector code. (The detector package still
 * mixes the engine with its Flink operator, and the settings and webhook packages refer to each other:
 * neither is checked here yet.)
 */
class LayersTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.churnradar");
    }

    @Test
    void playbookAndSignalRulesAreFreeOfFlinkKafkaAndTheDetector() {
        noClasses().that().resideInAnyPackage("io.churnradar.play..", "io.churnradar.signals..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.flink..", "org.apache.kafka..", "io.churnradar.detect..", "io.churnradar.local..",
                        "io.churnradar.backtest..", "io.churnradar.webhook..")
                .check(classes);
    }

    @Test
    void upliftStatisticsAreFreeOfFlink() {
        noClasses().that().haveSimpleNameStartingWith("Uplift").or().haveSimpleNameStartingWith("OutcomeTally")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
                .check(classes);
    }
}
