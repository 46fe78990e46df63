package io.churnradar.ingest;

import java.time.Instant;

/**
 * ISO-8601 instants read to epoch milliseconds as {@code Instant.parse(s).toEpochMilli()} reads them. The shape
 * nearly every event time has ({@code 2026-03-02T10:15:00Z}, or with a fraction of 1 to 9 digits before the
 * {@code Z}, as {@link Instant#toString} and our converters write it) is read here; anything else (an offset, lower
 * case, a leap second, hour 24, a year beyond four digits, a day the month does not have) goes to
 * {@code Instant.parse}, so the value and the exception are always its own. Written by hand because the JDK's
 * formatter (and Jackson's, which wraps it) builds and resolves a map of parsed fields for every call: most of
 * the cost of reading a line whose time is text.
 */
public final class IsoInstants {
    /** No instant of a four-digit year is this: the shape is not the common one. */
    private static final long NOT_PLAIN = Long.MIN_VALUE;
    private static final long DAY_MS = 86_400_000L;
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    private IsoInstants() {}

    /** The instant's epoch milliseconds; a text {@code Instant.parse} rejects throws its {@code DateTimeParseException}. */
    public static long toEpochMilli(String text) {
        long millis = plain(text);
        return millis != NOT_PLAIN ? millis : Instant.parse(text).toEpochMilli();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range, as epoch milliseconds; else NOT_PLAIN. */
    static long plain(String s) {
        int n = s.length();
        if (n != 20 && (n < 22 || n > 30)) return NOT_PLAIN;
        if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z' || (n > 20 && s.charAt(19) != '.')) {
            return NOT_PLAIN;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int fraction = n > 20 ? digits(s, 20, n - 1) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0) return NOT_PLAIN; // a character that is no digit
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
            return NOT_PLAIN;
        }
        int nanos = n > 20 ? fraction * POWERS_OF_TEN[9 - (n - 21)] : 0;
        return epochDay(year, month, day) * DAY_MS + hour * 3_600_000L + minute * 60_000L + second * 1_000L + nanos / 1_000_000;
    }

    /** The decimal number of s[from, to), or -1 when a character there is no digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
