package io.churnradar.score;

import io.churnradar.alerts.HealthTier;

/**
 * When a health update is published: the first score of an account, a tier change, a move of
 * {@code minScoreChange} points or more since the last update, at once; a smaller change only at a
 * day close, so at most once a day.
 */
public final class HealthUpdatePolicy {
    private HealthUpdatePolicy() {}

    /**
     * @param lastScore the last published score, or a negative number when none was
     * @param lastTier the last published tier
     * @param atDayClose whether this evaluation is a day close
     */
    public static boolean due(int lastScore, HealthTier lastTier, Health now, boolean atDayClose, int minScoreChange) {
        if (lastScore < 0 || lastTier == null) return true;
        if (now.tier() != lastTier) return true;
        int moved = Math.abs(now.score() - lastScore);
        return moved >= minScoreChange || (atDayClose && moved > 0);
    }
}
