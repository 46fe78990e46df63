package io.churnradar.score;

import io.churnradar.alerts.HealthTier;

/**
 * When a health update is published: at once for the first score of an account, a tier change, or a
 * move of {@code minScoreChange} points or more since the last update; any smaller change only when
 * the last update is from an earlier UTC day, so at most once a day. A day close is the first moment
 * of its new day: a small change is published there, or at the account's first event of a later day.
 */
public final class HealthUpdatePolicy {
    private static final long DAY_MS = 86_400_000L;

    private HealthUpdatePolicy() {}

    /**
     * @param lastScore the last published score, or a negative number when none was
     * @param lastTier the last published tier
     * @param lastAt event time of the last published update
     * @param score the score now, at {@code at}
     * @param tier its tier
     */
    public static boolean due(int lastScore, HealthTier lastTier, long lastAt, int score, HealthTier tier, long at, int minScoreChange) {
        if (lastScore < 0 || lastTier == null) return true;
        if (tier != lastTier) return true;
        int moved = Math.abs(score - lastScore);
        return moved >= minScoreChange || (moved > 0 && Math.floorDiv(at, DAY_MS) > Math.floorDiv(lastAt, DAY_MS));
    }
}
