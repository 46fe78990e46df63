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

    public static AccountEvent check(AccountEvent e) throws InvalidEventException {
        require(e.type != null, "type is missing");
        require(notBlank(e.eventId), "eventId is missing or empty");
        require(notBlank(e.accountId), "accountId is missing or empty");
        require(e.eventTime >= MIN_TIME && e.eventTime < MAX_TIME,
                "eventTime " + e.eventTime + " is outside 2000-01-01..2100-01-01");
        switch (e.type) {
            case USAGE -> {
                require(notBlank(e.feature), "feature is missing or empty");
                require(Double.isFinite(e.quantity) && e.quantity >= 0, "quantity must be a finite number >= 0, got " + e.quantity);
            }
            case SUPPORT_TICKET -> {
                require(notBlank(e.ticketId), "ticketId is missing or empty");
                require(e.ticketStatus != null, "status is missing");
                require(e.priority != null, "priority is missing");
                require(e.csat == null || (e.csat >= 1 && e.csat <= 5), "csat must be 1..5, got " + e.csat);
            }
            case PAYMENT -> {
                require(e.paymentStatus != null, "status is missing");
                require(e.currency != null && CURRENCY.matcher(e.currency).matches(),
                        "currency must be an ISO 4217 code of three upper-case letters, got " + e.currency);
                require(notBlank(e.invoiceId), "invoiceId is missing or empty");
                require(e.cardExpiry == null || CARD_EXPIRY.matcher(e.cardExpiry).matches(),
                        "cardExpiry must be YYYY-MM, got " + e.cardExpiry);
            }
            case FEEDBACK -> {
                require(e.survey != null, "survey is missing");
                switch (e.survey) {
                    case NPS -> require(e.score >= 0 && e.score <= 10, "an NPS score must be 0..10, got " + e.score);
                    case CSAT -> require(e.score >= 1 && e.score <= 5, "a CSAT score must be 1..5, got " + e.score);
                }
            }
            case SUBSCRIPTION -> {
                require(e.action != null, "action is missing");
                require(e.mrrMinor == null || e.mrrMinor >= 0, "mrrMinor must be >= 0, got " + e.mrrMinor);
                require(e.seats == null || e.seats >= 0, "seats must be >= 0, got " + e.seats);
                require(e.renewalDate == null || isDate(e.renewalDate), "renewalDate must be YYYY-MM-DD, got " + e.renewalDate);
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

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static void require(boolean ok, String reason) throws InvalidEventException {
        if (!ok) throw new InvalidEventException(reason);
    }
}
