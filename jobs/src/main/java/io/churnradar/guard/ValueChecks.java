package io.churnradar.guard;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.InvalidEventException;

/**
 * Limits on the values of an event that the field checks alone let through: ids become state keys and
 * output keys, and numbers are added up by the rules. Both inputs apply them through the event validator.
 */
public final class ValueChecks {
    /** An id longer than this is not an id (it would be stored as a key in every account's state). */
    public static final int MAX_ID_LENGTH = 256;
    /** Usage of one event; sums of millions of them stay finite and exact to the unit. */
    public static final double MAX_QUANTITY = 1e12;
    /** Amounts and MRR in minor units (10^15 cents is ten trillion): sums over many accounts stay within a long. */
    public static final long MAX_MINOR_UNITS = 1_000_000_000_000_000L;
    public static final int MAX_SEATS = 10_000_000;

    private ValueChecks() {}

    public static void check(AccountEvent e) throws InvalidEventException {
        id("eventId", e.eventId);
        id("accountId", e.accountId);
        id("userId", e.userId);
        id("feature", e.feature);
        id("ticketId", e.ticketId);
        id("invoiceId", e.invoiceId);
        if (!(e.quantity <= MAX_QUANTITY)) {
            throw new InvalidEventException("quantity " + e.quantity + " is above " + MAX_QUANTITY + ", more than the rules can add up");
        }
        minor("amountMinor", e.amountMinor);
        if (e.mrrMinor != null) minor("mrrMinor", e.mrrMinor);
        if (e.seats != null && e.seats > MAX_SEATS) {
            throw new InvalidEventException("seats " + e.seats + " is above " + MAX_SEATS);
        }
    }

    private static void minor(String field, long v) throws InvalidEventException {
        if (v > MAX_MINOR_UNITS || v < -MAX_MINOR_UNITS) {
            throw new InvalidEventException(field + " " + v + " is outside -" + MAX_MINOR_UNITS + ".." + MAX_MINOR_UNITS
                    + ", more than the rules can add up");
        }
    }

    /**
     * Control characters, U+FFFD (what invalid UTF-8 decodes to) and unpaired surrogates are rejected:
     * stored as keys they would make ids that look equal differ, and break the consumers of our outputs.
     */
    static void id(String field, String v) throws InvalidEventException {
        if (v == null) return;
        if (v.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException(field + " is " + v.length() + " characters long, above " + MAX_ID_LENGTH);
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= 0x20 && c < 0x7F) continue; // printable ASCII, nearly every id: nothing to check
            String bad = null;
            if (Character.isISOControl(c)) bad = String.format("the control character U+%04X", (int) c);
            else if (c == '\uFFFD') bad = "invalid UTF-8 (U+FFFD)";
            else if (Character.isHighSurrogate(c) && (i + 1 == v.length() || !Character.isLowSurrogate(v.charAt(i + 1)))) {
                bad = "an unpaired surrogate";
            } else if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(v.charAt(i - 1)))) {
                bad = "an unpaired surrogate";
            }
            if (bad != null) throw new InvalidEventException(field + " contains " + bad + " at character " + i);
        }
    }
}
