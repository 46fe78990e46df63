package io.churnradar.detect;

import java.util.Map;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;

/**
 * The most accounts a job may hold, as its global job parameter {@value #PARAMETER} (absent: no limit). A backtest
 * on the heap backend sets it to what its heap was sized for ({@code backtest.BacktestStateBackend}): the accounts
 * of a history are estimated from samples of it before the run, and an estimate that falls short fails the run
 * at once with {@link Exceeded}, which the backtest answers by starting again on RocksDB, instead of running out
 * of memory after a long while.
 *
 * <p>Counted per detection subtask, as the accounts it creates: each holds its share of the limit, the key
 * groups spread the accounts about evenly, and a little slack keeps an uneven spread from failing a run that fits.
 */
public final class AccountLimit {
    /** The global job parameter: accounts in all, across the detection subtasks. */
    public static final String PARAMETER = "churn-radar.max-accounts";

    private final long perSubtask;
    private long created;

    private AccountLimit(long perSubtask) {
        this.perSubtask = perSubtask;
    }

    /** The limit of one of {@code subtasks} detection subtasks under the job's global parameters; null: none. */
    static AccountLimit of(Map<String, String> jobParameters, int subtasks) {
        String v = jobParameters == null ? null : jobParameters.get(PARAMETER);
        if (v == null) return null;
        long total;
        try {
            total = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("global job parameter " + PARAMETER + " must be a whole number of accounts, got '" + v + "'");
        }
        if (total < 0) throw new IllegalArgumentException("global job parameter " + PARAMETER + " must be at least 0, got " + total);
        long share = (total + subtasks - 1) / Math.max(1, subtasks);
        return new AccountLimit(share + share / 10);
    }

    /**
     * Counts an account the subtask creates; once there are more than its share, fails the job with {@link Exceeded},
     * which no restart would cure.
     */
    void created() {
        if (++created > perSubtask) throw new SuppressRestartsException(new Exceeded(perSubtask));
    }

    /** More accounts than the job was sized for. */
    public static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded(long perSubtask) {
            super("a detection subtask holds more than " + perSubtask + " accounts, the most it was sized for (" + PARAMETER + ")");
        }

        /** Whether {@code t} or one of its causes is an {@code Exceeded}, also as Flink passes a failure on (serialized). */
        public static boolean isCause(Throwable t) {
            return ExceptionUtils.findThrowableSerializedAware(t, Exceeded.class, Exceeded.class.getClassLoader()).isPresent();
        }
    }
}
