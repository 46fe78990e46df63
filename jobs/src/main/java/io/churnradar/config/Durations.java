package io.churnradar.config;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;

/**
 * Reads durations as Flink's {@link TimeUtils} does (500ms, 30s, 10m, 2h, 7d, and its longer spellings such as "10 min"),
 * for the config files and the launcher's options alike, and writes them back in the short form.
 */
public final class Durations {
    private Durations() {}

    /**
     * The duration {@code text} names with its unit; null when it names none. A bare number, which {@link TimeUtils} takes
     * for milliseconds, is refused: "5" is as likely meant as 5 s or 5 min, and a bound a thousand times tighter than meant
     * would pass unnoticed.
     */
    public static Duration parse(String text) {
        if (text == null) return null;
        String t = text.trim();
        if (t.isEmpty() || lacksUnit(t)) return null;
        try {
            return TimeUtils.parseDuration(t);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code text} is a whole number without a unit: what {@link #parse} refuses, for a message that says so. */
    public static boolean lacksUnit(String text) {
        return text != null && text.trim().matches("[0-9]+");
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
