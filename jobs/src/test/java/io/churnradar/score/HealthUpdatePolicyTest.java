package io.churnradar.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.HealthTier;
import org.junit.jupiter.api.Test;

/** A health update at once on a tier change or a move of 5 points; a smaller change at most once a UTC day. */
class HealthUpdatePolicyTest {
    private static final long DAY = 86_400_000L;
    private static final long T = 20_000 * DAY + 10 * 3_600_000L; // some day, 10:00Z

    @Test
    void theFirstScoreIsPublished() {
        assertThat(HealthUpdatePolicy.due(-1, null, Long.MIN_VALUE, 80, HealthTier.GREEN, T, 5)).isTrue();
    }

    @Test
    void aMoveOfFivePointsIsPublishedAtOnce() {
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 75, HealthTier.GREEN, T + 1, 5)).isTrue();
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 85, HealthTier.GREEN, T + 1, 5)).isTrue();
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 76, HealthTier.GREEN, T + 1, 5)).isFalse();
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 77, HealthTier.GREEN, T + 1, 3)).isTrue();
    }

    @Test
    void aTierChangeIsPublishedAtOnceHoweverSmall() {
        assertThat(HealthUpdatePolicy.due(70, HealthTier.GREEN, T, 69, HealthTier.YELLOW, T + 1, 5)).isTrue();
    }

    @Test
    void aSmallChangeWaitsForTheNextUtcDay() {
        long midnight = (T / DAY + 1) * DAY;
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 78, HealthTier.GREEN, midnight - 1, 5)).isFalse();
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 78, HealthTier.GREEN, midnight, 5)).isTrue();
        assertThat(HealthUpdatePolicy.due(80, HealthTier.GREEN, T, 80, HealthTier.GREEN, midnight + DAY, 5))
                .as("no change, nothing to publish").isFalse();
    }
}
