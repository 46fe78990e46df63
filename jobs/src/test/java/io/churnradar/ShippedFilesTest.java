package io.churnradar;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The files we ship as documentation are valid, and say what the code does. */
class ShippedFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void documentedSettingsFileLoadsWithTheDefaults() {
        JobSettings s = JobSettings.load(ROOT.resolve("flink-conf/churn-radar.yaml"));
        JobSettings d = JobSettings.defaults();
        assertThat(s.loginTopic).isEqualTo(d.loginTopic);
        assertThat(s.alertsTopic).isEqualTo("churn.alerts");
        assertThat(s.deadLetterTopic).isEqualTo("churn.dead-letter");
        assertThat(s.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.eventOrdering).isEqualTo(d.eventOrdering);
        assertThat(s.transactionTimeout).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.delivery).isEqualTo(JobSettings.Delivery.EXACTLY_ONCE);
        assertThat(JobSettings.load(ROOT.resolve("docker/churn-radar.yaml")).delivery).isEqualTo(JobSettings.Delivery.EXACTLY_ONCE);
        assertThat(s.kafkaProperties).isEmpty();
        assertThat(s.maxAheadOfNow).isEqualTo(d.maxAheadOfNow);
        assertThat(s.maxRecordBytes).isEqualTo(d.maxRecordBytes);
        assertThat(s.topicFormats).isEmpty();
        assertThat(s.formatOptions).usingRecursiveComparison().isEqualTo(io.churnradar.ingest.formats.FormatOptions.defaults());
    }

    @Test
    void theInputsDocumentMapsEveryFormatAndNamesEverySetting() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/inputs.md"));
        String conf = Files.readString(ROOT.resolve("flink-conf/churn-radar.yaml"));
        for (io.churnradar.ingest.formats.InputFormat f : io.churnradar.ingest.formats.InputFormat.values()) {
            assertThat(doc).contains("`" + f.id + "`");
            assertThat(conf).contains(f.id);
        }
        for (String key : java.util.List.of("schemaRegistryUrl", "schemasFile", "accountMetadataKey", "accountFields", "accountKey")) {
            assertThat(doc).contains(key);
            assertThat(conf).contains(key);
        }
    }

    @Test
    void defaultRulesFileHoldsTheBuiltInDefaults() {
        Rules file = Rules.load(ROOT.resolve("jobs/src/main/resources/rules/default-rules.yaml"));
        Rules d = Rules.defaults();
        assertThat(file.version).isEqualTo(d.version);
        assertThat(file).usingRecursiveComparison().isEqualTo(d);
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        assertThat(readme).contains("mvn -B verify");
        assertThat(ci).contains("mvn -B verify");
        assertThat(readme.indexOf("./churn-radar demo")).isLessThan(readme.indexOf("mvn -B verify"));
    }
}
