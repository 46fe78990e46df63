package io.churnradar.detect;

import io.churnradar.config.Rules;

/** Rules for a test: the defaults changed by a YAML fragment under the top level. */
final class TestRules {
    private TestRules() {}

    /** E.g. {@code TestRules.with("signals:\n  npsDetractor: {enabled: false}")}. */
    static Rules with(String yaml) {
        return Rules.parse("version: default-1\n" + yaml, "test-rules.yaml");
    }
}
