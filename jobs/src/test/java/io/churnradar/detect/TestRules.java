package io.churnradar.detect;

import io.churnradar.config.Rules;

/** Rules for a test: the defaults changed by a YAML fragment under the top level. */
final class TestRules {
    private TestRules() {}

    /** Signals only (playbooks off), e.g. {@code TestRules.with("signals:\n  npsDetractor: {enabled: false}")}. */
    static Rules with(String yaml) {
        return withPlaybooks(yaml).withPlaybooks(io.churnradar.play.PlaybookRules.none());
    }

    /** The defaults with the shipped playbooks, changed by the fragment. */
    static Rules withPlaybooks(String yaml) {
        return Rules.parse("version: default-1\n" + yaml, "test-rules.yaml");
    }
}
