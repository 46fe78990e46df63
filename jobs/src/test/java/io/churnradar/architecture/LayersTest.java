package io.churnradar.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers that keep the rules readable without Flink. Inside detection, from the bottom: the
 * account state (AccountState and its nested classes in io.churnradar.detect, helpers and day
 * arithmetic in io.churnradar.detect.state), the signals (io.churnradar.signals: the catalog and one
 * package per family), the engine (SignalEngine, Emitter, AccountFacts, DetectionOutput, Alerts,
 * HealthComponents in io.churnradar.detect, the health model in io.churnradar.score), and on top the
 * Flink operator (ChurnDetector, ChurnPipeline). The playbooks and their outcome statistics stand
 * beside them. (The settings and webhook packages refer to each other: not checked here yet.)
 */
class LayersTest {
    /** The engine's classes: they share io.churnradar.detect with the state and the Flink operator. */
    private static final String ENGINE =
            "io\\.churnradar\\.detect\\.(SignalEngine|Emitter|AccountFacts|DetectionOutput|Alerts|HealthComponents|MrrMovements)(\\$.*)?";
    private static final String OPERATOR = "io\\.churnradar\\.detect\\.(ChurnDetector|ChurnPipeline)(\\$.*)?";
    private static final String STATE =
            "io\\.churnradar\\.detect\\.(AccountState|Episode|SubscriptionState|FeedbackState|CardState|UrgentTicketsState)(\\$.*)?";
    /** What detection must not know of: Flink, Kafka, Avro serialization, the sinks, webhooks, the launcher, the backtest. */
    private static final String[] RUNTIME = {
        "org.apache.flink..", "org.apache.kafka..", "org.apache.avro.io..", "org.apache.avro.message..", "io.churnradar.sink..",
        "io.churnradar.webhook..", "io.churnradar.local..", "io.churnradar.backtest..", "io.churnradar.ingest.formats.."
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.churnradar");
    }

    @Test
    void playbooksAreFreeOfFlinkKafkaAndTheDetector() {
        noClasses().that().resideInAnyPackage("io.churnradar.play..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.flink..", "org.apache.kafka..", "io.churnradar.detect..", "io.churnradar.local..",
                        "io.churnradar.backtest..", "io.churnradar.webhook..")
                .check(classes);
    }

    @Test
    void signalsAreFreeOfTheRuntimeTheEngineAndTheOperator() {
        noClasses().that().resideInAnyPackage("io.churnradar.signals..")
                .should().dependOnClassesThat().resideInAnyPackage(RUNTIME)
                .orShould().dependOnClassesThat().haveNameMatching(ENGINE)
                .orShould().dependOnClassesThat().haveNameMatching(OPERATOR)
                .check(classes);
    }

    @Test
    void theEngineAndTheHealthModelAreFreeOfTheRuntimeAndTheOperator() {
        noClasses().that().haveNameMatching(ENGINE).or().resideInAnyPackage("io.churnradar.score..")
                .should().dependOnClassesThat().resideInAnyPackage(RUNTIME)
                .orShould().dependOnClassesThat().haveNameMatching(OPERATOR)
                .check(classes);
    }

    /**
     * The state knows the Signal enum (episodes are indexed by it) and the playbooks' state, nothing above.
     * Of Flink it names only its stored form: the {@code @TypeInfo} annotation pointing at
     * io.churnradar.detect.storage, the compact serializer that is Flink plumbing and sits outside the layer.
     */
    @Test
    void theStateDependsOnNeitherTheEngineNorTheSignalFamilies() {
        DescribedPredicate<JavaClass> runtime = JavaClass.Predicates.resideInAnyPackage(RUNTIME)
                .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(org.apache.flink.api.common.typeinfo.TypeInfo.class)));
        noClasses().that().haveNameMatching(STATE).or().resideInAnyPackage("io.churnradar.detect.state..")
                .should().dependOnClassesThat(runtime)
                .orShould().dependOnClassesThat().haveNameMatching(ENGINE)
                .orShould().dependOnClassesThat().haveNameMatching(OPERATOR)
                .orShould().dependOnClassesThat().resideInAnyPackage("io.churnradar.signals.*..", "io.churnradar.score..")
                .orShould().dependOnClassesThat().haveNameMatching("io\\.churnradar\\.signals\\.(SignalCatalog|SignalFamily|Alerting).*")
                .check(classes);
    }

    /** The KPI figures and formulas read without Flink: only the operator that keeps them in state knows it. */
    @Test
    void retentionKpiFiguresAreFreeOfFlinkAndTheDetector() {
        noClasses().that().resideInAnyPackage("io.churnradar.kpi..")
                .and().haveNameNotMatching("io\\.churnradar\\.kpi\\.(SegmentKpis|RetentionKpis)(\\$.*)?")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..", "io.churnradar.detect..")
                .check(classes);
    }

    @Test
    void upliftStatisticsAreFreeOfFlink() {
        noClasses().that().haveSimpleNameStartingWith("Uplift").or().haveSimpleNameStartingWith("OutcomeTally")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
                .check(classes);
    }

    /**
     * The propensity model (labels, features, the artefact) is plain Java over the account state, so the
     * launcher, the backtest and the operator share it. Of Flink it names only TimeUtils, for the syntax of
     * the churn horizon, which is that of every other duration.
     */
    @Test
    void propensityIsFreeOfFlinkKafkaAndTheOperator() {
        DescribedPredicate<JavaClass> runtime = JavaClass.Predicates.resideInAnyPackage(RUNTIME)
                .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(org.apache.flink.util.TimeUtils.class)));
        noClasses().that().resideInAnyPackage("io.churnradar.propensity..")
                .should().dependOnClassesThat(runtime)
                .orShould().dependOnClassesThat().haveNameMatching(OPERATOR)
                .orShould().dependOnClassesThat().resideInAnyPackage("io.churnradar.topology..", "io.churnradar.play..")
                .check(classes);
    }

    /**
     * The backtest in three parts: reading the event files (io.churnradar.backtest.input), writing the sorted result
     * files (io.churnradar.backtest.results), and the run that wires them around the topology (io.churnradar.backtest).
     * The reading knows nothing of the results or the run; the results know of the reading only the rejected line
     * (dead-letter.jsonl), and nothing of the run. Each part can be read, tested and replaced alone.
     */
    @Test
    void theBacktestReadsAndWritesInPartsThatDoNotKnowTheRun() {
        noClasses().that().resideInAnyPackage("io.churnradar.backtest.input..")
                .should().dependOnClassesThat().resideInAnyPackage("io.churnradar.backtest", "io.churnradar.backtest.results..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.churnradar.backtest.results..")
                .should().dependOnClassesThat().resideInAnyPackage("io.churnradar.backtest")
                .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("io.churnradar.backtest.input..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.simpleName("RejectedLine"))))
                .check(classes);
    }
}
