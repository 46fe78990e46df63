package io.churnradar.ingest;

import java.util.regex.Pattern;

/**
 * The checks every event passes before detection, whether it came from Kafka or from a file, so
 * that both inputs reject the same records with the same reasons.
 */
public final class EventValidator {
    /** 2000-01-01 and 2100-01-01: outside, a timestamp is a bug and would drag the watermark along. */
    static final long MIN_TIME = 946_684_800_000L;
    static final long MAX_TIME = 4_102_444_800_000L;
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern CARD_EXPIRY = Pattern.compile("\\d{4}-(0[1-9]|1[0-2])");

    private EventValidator() {}

    /**
     * Each reason is made only when its check fails: a valid event (nearly every one) builds no message, where
     * building them all took a number's text of every event's time and quantity.
     */
    public static AccountEvent check(AccountEvent e) throws InvalidEventException {
        if (e.type == null) throw invalid("type is missing");
        if (blank(e.eventId)) throw invalid("eventId is missing or empty");
        if (blank(e.accountId)) throw invalid("accountId is missing or empty");
        if (e.eventTime < MIN_TIME || e.eventTime >= MAX_TIME) {
            throw invalid("eventTime " + java.time.Instant.ofEpochMilli(e.eventTime) + " (" + e.eventTime + " ms) is outside 2000-01-01..2100-01-01");
        }
        switch (e.type) {
            case USAGE -> {
                if (blank(e.feature)) throw invalid("feature is missing or empty");
                if (!(Double.isFinite(e.quantity) && e.quantity >= 0)) {
                    throw invalid("quantity must be a finite number >= 0, got " + e.quantity);
                }
            }
            case SUPPORT_TICKET -> {
                if (blank(e.ticketId)) throw invalid("ticketId is missing or empty");
                if (e.ticketStatus == null) throw invalid("status is missing");
                if (e.priority == null) throw invalid("priority is missing");
                if (e.csat != null && (e.csat < 1 || e.csat > 5)) throw invalid("csat must be 1..5, got " + e.csat);
            }
            case PAYMENT -> {
                if (e.paymentStatus == null) throw invalid("status is missing");
                if (e.currency == null || !CURRENCY.matcher(e.currency).matches()) {
                    throw invalid("currency must be an ISO 4217 code of three upper-case letters, got " + e.currency);
                }
                if (blank(e.invoiceId)) throw invalid("invoiceId is missing or empty");
                if (e.cardExpiry != null && !CARD_EXPIRY.matcher(e.cardExpiry).matches()) {
                    throw invalid("cardExpiry must be YYYY-MM, got " + e.cardExpiry);
                }
            }
            case FEEDBACK -> {
                if (e.survey == null) throw invalid("survey is missing");
                switch (e.survey) {
                    case NPS -> {
                        if (e.score < 0 || e.score > 10) throw invalid("an NPS score must be 0..10, got " + e.score);
                    }
                    case CSAT -> {
                        if (e.score < 1 || e.score > 5) throw invalid("a CSAT score must be 1..5, got " + e.score);
                    }
                }
            }
            case SUBSCRIPTION -> {
                if (e.action == null) throw invalid("action is missing");
                if (e.mrrMinor != null && e.mrrMinor < 0) throw invalid("mrrMinor must be >= 0, got " + e.mrrMinor);
                if (e.seats != null && e.seats < 0) throw invalid("seats must be >= 0, got " + e.seats);
                if (e.renewalDate != null && !isDate(e.renewalDate)) throw invalid("renewalDate must be YYYY-MM-DD, got " + e.renewalDate);
            }
            case LOGIN -> {}
        }
        io.churnradar.guard.ValueChecks.check(e);
        return e;
    }

    private static boolean isDate(String s) {
        try {
            java.time.LocalDate.parse(s);
            return s.length() == 10;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static InvalidEventException invalid(String reason) {
        return new InvalidEventException(reason);
    }
}
