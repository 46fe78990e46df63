package io.churnradar.play;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HoldoutTest {
    @Test
    void aboutTheShareAskedForOverManyAccountsAndTheSameEveryTime() {
        int held = 0;
        int heldInBoth = 0;
        for (int i = 0; i < 20_000; i++) {
            String acc = "acct-" + i;
            boolean a = Holdout.isHeldOut(acc, "dunning", 10);
            assertThat(Holdout.isHeldOut(acc, "dunning", 10)).isEqualTo(a);
            if (a) held++;
            if (a && Holdout.isHeldOut(acc, "win-back", 10)) heldInBoth++;
        }
        assertThat(held).isBetween(1_800, 2_200);
        // Independent per playbook: about 1% are in both control groups, not 10%.
        assertThat(heldInBoth).isBetween(120, 300);
    }

    @Test
    void noneAtZeroAllAtAHundred() {
        assertThat(Holdout.isHeldOut("x", "p", 0)).isFalse();
        assertThat(Holdout.isHeldOut("x", "p", 100)).isTrue();
    }

    @Test
    void groupsAndCommandIdsArePinnedSoThatRunsAndReleasesAgree() {
        // Pinned values: a change of either hash would reshuffle every control group or every idempotency key.
        assertThat(Holdout.bucket("acct-1", "dunning")).isEqualTo(PINNED_BUCKET);
        assertThat(CommandIds.of("acct-1", "dunning", 0, "alert-1")).isEqualTo(PINNED_ID);
        assertThat(CommandIds.of("acct-1", "dunning", 1, "alert-1")).isNotEqualTo(PINNED_ID);
    }

    private static final int PINNED_BUCKET = 6638;
    private static final String PINNED_ID = "29398480-00c2-390e-b6c6-18ff98988613";
}
