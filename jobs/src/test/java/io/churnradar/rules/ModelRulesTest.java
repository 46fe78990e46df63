package io.churnradar.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.ModelReference;
import io.churnradar.config.Rules;
import io.churnradar.testing.TestChurnModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code model} block of a rule set, checked where rule sets are checked: each bad model with its reason. */
class ModelRulesTest {
    @TempDir
    Path tmp;

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void aModelByFileIsLoadedAndInlinedForTheDetector() throws Exception {
        Path file = TestChurnModels.write(tmp.resolve("m.json"));
        byte[] bytes = Files.readAllBytes(file);
        String text = "version: m1\nmodel: {uri: " + file.toUri() + ", sha256: " + sha256(bytes).toUpperCase() + "}\n";
        RulesCheck.Result r = RulesCheck.check(text, "test");
        assertThat(r.errors()).isEmpty();
        assertThat(r.rules().model.sha256()).isEqualTo(sha256(bytes));
        assertThat(r.rules().model.id()).startsWith(sha256(bytes).substring(0, 12) + " (inactivity:30d, trained until 2026-03-01)");

        // The detector's text carries the bytes: no file needed any more, same digest, same rules.
        String forDetector = RulesCheck.forDetector(text, r.rules());
        Files.delete(file);
        Rules inDetector = Rules.parse(forDetector, "detector");
        assertThat(inDetector.model.sha256()).isEqualTo(sha256(bytes));
        assertThat(RulesCheck.sameRules(inDetector, r.rules())).isTrue();
        assertThat(RulesCheck.forDetector(forDetector, inDetector)).isSameAs(forDetector);
    }

    @Test
    void aMissingCorruptOrMismatchedModelIsRejectedWithItsReason() throws Exception {
        Path file = TestChurnModels.write(tmp.resolve("m.json"));
        byte[] bytes = Files.readAllBytes(file);
        String sha = sha256(bytes);

        assertThat(RulesCheck.check("version: x\nmodel: {uri: " + tmp.resolve("gone.json").toUri() + ", sha256: " + sha + "}", "t").errors())
                .singleElement().asString().startsWith("model.uri: cannot read the model").endsWith("gone.json: no such file");
        // Not a model: the parser's words and place, without its note on sources it does not show.
        Path yaml = Files.writeString(tmp.resolve("rules.yaml"), "version: x\n");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ModelReference.of(yaml)).getMessage())
                .startsWith("not a churn propensity model: Unrecognized token 'version'").contains("(line 1, column ").doesNotContain("REDACTED");
        assertThat(RulesCheck.check("version: x\nmodel: {uri: " + file.toUri() + ", sha256: " + "a".repeat(64) + "}", "t").errors())
                .containsExactly("model.sha256: the model has SHA-256 " + sha + ", the rules expect " + "a".repeat(64)
                        + ": it is not the model this rule set was written for");
        assertThat(RulesCheck.check("version: x\nmodel: {uri: " + file.toUri() + ", sha256: " + "0".repeat(64) + "}", "t").errors())
                .containsExactly("model.sha256: write the SHA-256 in quotes (sha256: \"...\"): YAML reads these digits as the number 0");
        assertThat(RulesCheck.check("version: x\nmodel: {uri: " + file.toUri() + "}", "t").errors())
                .containsExactly("model.sha256: missing; a model named by uri needs its SHA-256 (sha256sum MODEL)");
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        assertThat(RulesCheck.check("version: x\nmodel: {inline: " + Base64.getEncoder().encodeToString(cut) + "}", "t").errors())
                .singleElement().asString().startsWith("model.inline: not a churn propensity model");
        String notAModel = Base64.getEncoder().encodeToString("{\"format\": \"something-else\"}".getBytes());
        assertThat(RulesCheck.check("version: x\nmodel: {inline: " + notAModel + "}", "t").errors())
                .containsExactly("model.inline: not a churn propensity model: format 'something-else'");
        assertThat(RulesCheck.check("version: x\nmodel: {}", "t").errors())
                .containsExactly("model: name the model by uri (with its sha256) or give it inline (base64), one of the two");
    }

    @Test
    void theSameVersionWithAnotherModelIsAChangedRuleSet() throws Exception {
        byte[] bytes = TestChurnModels.loginRecency().toBytes();
        Rules a = RulesCheck.check("version: x\nmodel: {inline: " + Base64.getEncoder().encodeToString(bytes) + "}", "t").rules();
        Rules none = RulesCheck.check("version: x\n", "t").rules();
        assertThat(RulesCheck.sameRules(a, none)).isFalse();
        assertThat(RulesCheck.sameRules(a, a.withModel(a.model))).isTrue();
    }
}
