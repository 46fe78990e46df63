package io.churnradar.backtest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A small history of five accounts, 41 days from 2026-03-01, with one churn pattern planted per
 * account, plus duplicates, a late event and garbage lines. Every account logs in daily (but one)
 * until the last day, so event time passes every planted detection.
 */
final class PlantedHistory {
    static final Instant DAY0 = Instant.parse("2026-03-01T00:00:00Z");
    static final int DAYS = 41;

    final List<String> lines = new ArrayList<>();
    int garbage;
    int blank;
    int duplicates;

    static Instant at(int day, int hour) {
        return DAY0.plus(day, ChronoUnit.DAYS).plus(hour, ChronoUnit.HOURS);
    }

    PlantedHistory() {
        for (int d = 0; d < DAYS; d++) {
            List<String> accounts = List.of("acct-drop", "acct-inactive", "acct-pay", "acct-tickets", "acct-steady");
            for (String acct : accounts) {
                boolean inGap = acct.equals("acct-inactive") && d >= 10 && d < 30;
                if (!inGap) login(acct + "-login-" + d, acct, at(d, 9));
            }
            for (String acct : accounts) {
                double qty = acct.equals("acct-drop") ? (d < 20 ? 10 : 0) : 5;
                if (qty > 0) usage(acct + "-usage-" + d, acct, at(d, 10), qty);
            }
            switch (d) {
                case 3, 6, 9 -> payment("pay-" + d, "acct-pay", at(d, 12), "FAILED");
                case 7 -> payment("pay-" + d, "acct-pay", at(d, 12), "REFUNDED");
                case 12 -> payment("pay-" + d, "acct-pay", at(d, 12), "SUCCEEDED");
                case 5, 8, 11 -> ticket("ticket-" + d, "acct-tickets", at(d, 14));
                default -> {}
            }
            if (d == 3) { // a producer retry: the same event again
                payment("pay-3", "acct-pay", at(3, 12), "FAILED");
                duplicates++;
            }
            if (d == 35) { // two hours behind the newest event: late
                login("acct-steady-late-35", "acct-steady", at(35, 8));
            }
            if (d == 15) {
                lines.add("this is not json");
                lines.add("{\"type\":\"teleport\",\"eventId\":\"x\",\"accountId\":\"acct-steady\",\"eventTime\":\"2026-03-16T10:00:00Z\"}");
                lines.add("{\"type\":\"usage\",\"eventId\":\"neg\",\"accountId\":\"acct-steady\",\"eventTime\":\"2026-03-16T10:00:00Z\",\"feature\":\"api\",\"quantity\":-3}");
                lines.add("{\"type\":\"login\",\"eventId\":\"noacct\",\"eventTime\":\"2026-03-16T10:00:00Z\"}");
                garbage += 4;
                lines.add("");
                blank++;
            }
        }
    }

    private void login(String id, String acct, Instant t) {
        lines.add(String.format("{\"type\":\"login\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"userId\":\"u-1\",\"eventTime\":\"%s\"}", id, acct, t));
    }

    private void usage(String id, String acct, Instant t, double qty) {
        lines.add(String.format("{\"type\":\"usage\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":%d,\"feature\":\"reports\",\"quantity\":%s}",
                id, acct, t.toEpochMilli(), qty));
    }

    private void payment(String id, String acct, Instant t, String status) {
        lines.add(String.format("{\"type\":\"payment\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"status\":\"%s\","
                + "\"amountMinor\":4900,\"currency\":\"EUR\",\"invoiceId\":\"inv-%s\",\"failureCode\":\"card_declined\"}", id, acct, t, status, id));
    }

    private void ticket(String id, String acct, Instant t) {
        lines.add(String.format("{\"type\":\"support_ticket\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"ticketId\":\"%s\",\"status\":\"OPENED\"}",
                id, acct, t, id));
    }
}
