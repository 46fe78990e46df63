package io.churnradar.detect.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import org.junit.jupiter.api.Test;

class FeatureUsageTest {
    @Test
    void accountsUsingOneFeatureShareOneInstanceOfItsName() {
        AccountState a = new AccountState();
        AccountState b = new AccountState();
        // Two strings of the same name, as two events read from the input make them.
        FeatureUsage.record(a, new String("reports".toCharArray()), 1_000);
        FeatureUsage.record(b, new String("reports".toCharArray()), 2_000);
        FeatureUsage.record(b, new String("reports".toCharArray()), 3_000);

        assertThat(a.featureNames).containsExactly("reports");
        assertThat(b.featureNames).containsExactly("reports");
        assertThat(b.featureNames[0]).isSameAs(a.featureNames[0]);
        assertThat(b.featureLastUsedAt).containsExactly(3_000);
    }

    @Test
    void aFullAccountReplacesItsLeastRecentFeatureAndKeepsTheRest() {
        AccountState s = new AccountState();
        for (int i = 0; i < Rules.MAX_TRACKED_FEATURES; i++) FeatureUsage.record(s, "f" + i, 10_000 + i);
        FeatureUsage.record(s, "older", 5_000); // older than every feature kept: dropped
        assertThat(s.featureNames).doesNotContain("older").contains("f0");

        FeatureUsage.record(s, "newest", 50_000);
        assertThat(s.featureNames).hasSize(Rules.MAX_TRACKED_FEATURES).contains("newest").doesNotContain("f0");
        assertThat(FeatureUsage.countUsedSince(s, 50_000)).isEqualTo(1);
        assertThat(FeatureUsage.latestUse(s)).isEqualTo(50_000);
    }
}
