package io.churnradar.propensity;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The accounts a training run learns from: all of them, or, when their rows would not fit the budget, a sample of
 * whole accounts (every row of each, so an account's days never fall on both sides of the sample) chosen by a hash of
 * the account id, so that the same history gives the same sample and the same model on every run. A history of a
 * million accounts gives tens of millions of day closes: held as rows, and copied by the trainer, they ran the launcher
 * out of heap after the whole replay.
 */
public final class AccountSample {
    /** The default budget of rows: enough for trees of 30 features, and minutes of training on one thread. */
    public static final long DEFAULT_MAX_ROWS = 1_000_000;
    /**
     * Heap a training row takes at the most while the trees are fitted: 133 bytes in the row set, again in its split into
     * fitting and calibration rows, in the copy XGBoost is handed and in the margins, with the row set's growth.
     */
    static final long HEAP_PER_ROW = 1024;

    private AccountSample() {}

    /** The default budget: {@link #DEFAULT_MAX_ROWS}, or fewer when the heap holds fewer. */
    public static long defaultMaxRows() {
        return Math.min(DEFAULT_MAX_ROWS, Runtime.getRuntime().maxMemory() / HEAP_PER_ROW);
    }

    /** The share of the accounts to keep so that {@code rows} become about {@code maxRows}: 1 when they fit. */
    public static double share(long rows, long maxRows) {
        return rows <= maxRows ? 1 : (double) maxRows / rows;
    }

    /** Whether the rows of {@code accountId} are used at {@code share}: the same answer for the same account every time. */
    public static boolean keeps(String accountId, double share) {
        if (share >= 1) return true;
        byte[] id = accountId.getBytes(StandardCharsets.UTF_8);
        long h = MurmurHash3.hash128x64(id, 0, id.length, 0)[0];
        return (h >>> 11) * 0x1.0p-53 < share;
    }
}
