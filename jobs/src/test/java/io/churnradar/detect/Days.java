package io.churnradar.detect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Event times of the tests: day n is 2026-03-01 plus n days, UTC. */
final class Days {
    static final long DAY = SignalEngine.DAY_MS;
    static final long HOUR = 3_600_000L;
    static final LocalDate DAY_0 = LocalDate.of(2026, 3, 1);

    private Days() {}

    /** 00:00Z of day n: the close of day n - 1. */
    static long day(int n) {
        return DAY_0.plusDays(n).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Day n at the given hour, UTC. */
    static long at(int n, int hour) {
        return day(n) + hour * HOUR;
    }

    static Instant instant(long millis) {
        return Instant.ofEpochMilli(millis);
    }

    /** The ISO date of day n, as the evidence writes windows. */
    static String date(int n) {
        return DAY_0.plusDays(n).toString();
    }
}
