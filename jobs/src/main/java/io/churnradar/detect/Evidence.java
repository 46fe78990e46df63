package io.churnradar.detect;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The evidence map of an alert and how its values are written. */
final class Evidence {
    static final long HOUR_MS = 3_600_000L;

    private Evidence() {}

    static Map<String, String> map() {
        return new LinkedHashMap<>();
    }

    static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A percentage with one decimal, e.g. 42.9. */
    static String percent(double ratio) {
        return num(Math.round(ratio * 1000) / 10.0);
    }

    /** Free text from a customer, cut to a length an alert can carry. */
    static String excerpt(String text, int max) {
        if (text == null) return null;
        String t = text.strip();
        return t.length() <= max ? t : t.substring(0, max - 1) + "…";
    }
}
