package io.churnradar.local.runtime;

import java.time.Duration;

/** Durations for people: "1.4 s", "2 min 5 s". */
public final class Durations {
    private Durations() {}

    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) return String.format("%.1f s", ms / 1000.0);
        long s = Math.round(ms / 1000.0);
        return s % 60 == 0 ? s / 60 + " min" : s / 60 + " min " + s % 60 + " s";
    }
}
