package io.churnradar.play;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The control group of a playbook: a stable hash of account and playbook name, so the same account
 * lands in the same group on every run, restart and replay, and independently per playbook.
 */
public final class Holdout {
    private static final int BUCKETS = 10_000;

    private Holdout() {}

    public static boolean isHeldOut(String accountId, String playbook, double percent) {
        if (percent <= 0) return false;
        if (percent >= 100) return true;
        return bucket(accountId, playbook) < Math.round(percent * BUCKETS / 100.0);
    }

    /** 0..9999, uniform over accounts. */
    static int bucket(String accountId, String playbook) {
        UUID h = UUID.nameUUIDFromBytes(("holdout|" + playbook + "|" + accountId).getBytes(StandardCharsets.UTF_8));
        return (int) Long.remainderUnsigned(h.getLeastSignificantBits(), BUCKETS);
    }
}
