package io.churnradar.signals;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.signals.renewal.RenewalAtRiskSignal;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every signal is complete once it is in the catalog: a rules block with defaults, immutable settings,
 * a section in docs/signals.md that documents every evidence key, and a block in the shipped rules file.
 */
class SignalCatalogTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everySignalHasOneSpecInTheOrderOfTheEnum() {
        assertThat(SignalCatalog.specs()).extracting(SignalSpec::signal).containsExactly(Signal.values());
        assertThat(SignalCatalog.specs()).extracting(SignalSpec::key).doesNotHaveDuplicates();
    }

    @Test
    void everySignalHasImmutableDefaultSettings() {
        Rules defaults = Rules.defaults();
        for (SignalSpec<?> spec : SignalCatalog.specs()) {
            Serializable settings = defaults.signal(spec);
            assertThat(settings).as(spec.key()).isNotNull().usingRecursiveComparison().isEqualTo(spec.defaults());
            for (Class<?> c = settings.getClass(); c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    assertThat(Modifier.isFinal(f.getModifiers())).as(spec.key() + "." + f.getName() + " is final").isTrue();
                }
            }
        }
    }

    @Test
    void everySignalIsDocumentedWithItsEvidenceAndShippedInTheRulesFile() throws Exception {
        String docs = Files.readString(ROOT.resolve("docs/signals.md"));
        String shipped = Files.readString(ROOT.resolve("jobs/src/main/resources/rules/default-rules.yaml"));
        for (SignalSpec<?> spec : SignalCatalog.specs()) {
            String section = section(docs, spec.signal().name());
            assertThat(section).as("a section of docs/signals.md for " + spec.signal()).isNotEmpty();
            assertThat(spec.evidence()).as(spec.signal() + " declares its evidence keys").isNotEmpty();
            for (String key : spec.evidence()) {
                assertThat(section).as(spec.signal() + " documents evidence " + key).containsAnyOf("`" + key + "`", "`" + key + ":");
            }
            assertThat(shipped).as("default-rules.yaml has signals." + spec.key()).containsPattern("(?m)^  " + spec.key() + ":");
        }
    }

    @Test
    void theEngineRunsEveryFamilyWithRenewalAtRiskLast() {
        List<SignalFamily> families = SignalCatalog.families(Rules.defaults());
        assertThat(families).last().isInstanceOf(RenewalAtRiskSignal.class);
        assertThat(families).extracting(f -> f.getClass()).doesNotHaveDuplicates();
    }

    /** The text of the "## " section whose heading names the signal, up to the next such heading. */
    private static String section(String docs, String signal) {
        for (String part : docs.split("(?m)^## ")) {
            String heading = part.lines().findFirst().orElse("");
            if (heading.matches(".*\\b" + signal + "\\b.*")) return part;
        }
        return "";
    }
}
