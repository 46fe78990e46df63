package io.churnradar.propensity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The sample a training run learns from when its rows exceed the budget: whole accounts, the same ones every time. */
class AccountSampleTest {
    @Test
    void allAccountsWhileTheRowsFitThenTheShareThatBringsThemToTheBudget() {
        assertThat(AccountSample.share(1_000_000, 1_000_000)).isEqualTo(1.0);
        assertThat(AccountSample.share(4_000_000, 1_000_000)).isEqualTo(0.25);
        assertThat(AccountSample.keeps("acct-1", 1.0)).isTrue();
    }

    @Test
    void theSampleIsTheShareOfTheAccountsAndTheSameOnEveryCall() {
        int kept = 0;
        for (int i = 0; i < 100_000; i++) {
            boolean k = AccountSample.keeps("acct-" + i, 0.25);
            assertThat(AccountSample.keeps("acct-" + i, 0.25)).isEqualTo(k);
            if (k) kept++;
            // A larger share keeps every account a smaller one kept: raising --max-rows only adds accounts.
            if (k) assertThat(AccountSample.keeps("acct-" + i, 0.5)).isTrue();
        }
        assertThat(kept / 100_000.0).isCloseTo(0.25, within(0.01));
    }

    @Test
    void theDefaultBudgetIsAMillionRowsOrWhatTheHeapHolds() {
        assertThat(AccountSample.defaultMaxRows())
                .isEqualTo(Math.min(1_000_000, Runtime.getRuntime().maxMemory() / AccountSample.HEAP_PER_ROW));
    }
}
