package io.churnradar.score;

/**
 * What the health score is computed from: plain facts about one account at one instant, gathered
 * by the detector from its state. Free of Flink and of the detector's state layout.
 *
 * @param usageJudged whether the account is old enough for a usage trend (the USAGE_DROP history rule)
 * @param usageCur usage over the latest window (USAGE_DROP's {@code cur}) at the latest day close
 * @param usagePrev usage over the window before ({@code prev})
 * @param daysSinceLogin days since the latest login, or null when the account never logged in
 * @param recentFeatures distinct features used within {@code health.featureWindowDays}
 * @param ticketsOpened tickets opened within the TICKET_SPIKE window
 * @param agedUrgentTickets urgent tickets open past the URGENT_TICKET_AGING limit
 * @param failureStreak consecutive failed payments
 * @param cardExpiring whether the card on file expires within the CARD_EXPIRING horizon (or has expired)
 * @param npsScore the latest NPS answer 0..10, or null
 * @param csatScore the latest CSAT answer 1..5, or null
 */
public record HealthFacts(
        boolean usageJudged,
        double usageCur,
        double usagePrev,
        Double daysSinceLogin,
        int recentFeatures,
        int ticketsOpened,
        int agedUrgentTickets,
        int failureStreak,
        boolean cardExpiring,
        Integer npsScore,
        Integer csatScore) {

    /** A brand-new account that has told us nothing yet. */
    public static HealthFacts none() {
        return new HealthFacts(false, 0, 0, null, 0, 0, 0, 0, false, null, null);
    }
}
