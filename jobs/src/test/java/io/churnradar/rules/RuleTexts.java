package io.churnradar.rules;

import java.util.List;

/** Rule sets of the tests, as published on the rules topic. */
final class RuleTexts {
    private RuleTexts() {}

    /** PAYMENT_FAILED raised at MEDIUM, CRITICAL at the 2nd failure in a row (default: HIGH, the 3rd). */
    static final String V2 = """
            version: v2
            signals:
              paymentFailed:
                severity: MEDIUM
                criticalAfterFailures: 2
            """;

    /** V2 laid out otherwise, with a comment: the same rules. */
    static final String V2_AGAIN = """
            # the same rules as v2
            signals: {paymentFailed: {criticalAfterFailures: 2, severity: medium}}
            version: "v2"
            """;

    /** Four mistakes, one per key path in {@link #BAD_PATHS}. */
    static final String BAD = """
            version: v-bad
            dedup:
              windowDays: 0
            signals:
              paymentFailed:
                severity: SEVERE
              inactivity:
                days: fourteen
              ticketSpike:
                minOpend: 2
            """;

    static final List<String> BAD_PATHS = List.of(
            "dedup.windowDays", "signals.paymentFailed.severity", "signals.inactivity.days", "signals.ticketSpike.minOpend");

    /** PAYMENT_FAILED raised at LOW. */
    static final String V3 = """
            version: v3
            signals:
              paymentFailed:
                severity: LOW
            """;

    /** INACTIVITY after 7 days instead of 14. */
    static final String INACTIVE_7 = """
            version: inactive-7
            signals:
              inactivity:
                days: 7
            """;

    /** The path of each error ("key.path: message"). */
    static List<String> paths(List<String> errors) {
        return errors.stream().map(e -> e.substring(0, e.indexOf(": "))).toList();
    }
}
