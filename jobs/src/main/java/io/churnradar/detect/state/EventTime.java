package io.churnradar.detect.state;

import static io.churnradar.detect.AccountState.NONE;

/**
 * Day arithmetic in event time, shared by the engine, the signals and the health model: a UTC day D
 * closes at {@code (D + 1) * DAY_MS}, when the watermark reaches the next midnight.
 */
public final class EventTime {
    public static final long DAY_MS = 86_400_000L;
    public static final long HOUR_MS = 3_600_000L;

    private EventTime() {}

    /** The UTC epoch day of an instant. */
    public static long dayOf(long epochMillis) {
        return Math.floorDiv(epochMillis, DAY_MS);
    }

    /** The instant day {@code day} closes: the next midnight, UTC. */
    public static long closeAt(long day) {
        return (day + 1) * DAY_MS;
    }

    /** The last day whose close is due at this watermark. */
    public static long lastDueDay(long watermark) {
        return Math.floorDiv(watermark, DAY_MS) - 1;
    }

    /** The earlier of two instants, either of which may be NONE (none pending). */
    public static long earliest(long a, long b) {
        if (a == NONE) return b;
        if (b == NONE) return a;
        return Math.min(a, b);
    }
}
