package io.churnradar.outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnradar.outcome.UpliftStats.Group;
import io.churnradar.outcome.UpliftStats.Interval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Save rates, uplift, its interval and revenue against hand-computed and published values. */
class UpliftStatsTest {
    private static final double FOUR_DECIMALS = 0.00005;

    private static Group settled(long saved, long lost) {
        return new Group(saved + lost, saved, lost, 0, 0, 0);
    }

    /** Newcombe (1998), Table II, method 10: the published bounds, to the four decimals printed there. */
    @ParameterizedTest(name = "{0}/{1} - {2}/{3}")
    @CsvSource({
            "56, 70, 48, 80, 0.0524, 0.3339",
            "9, 10, 3, 10, 0.1705, 0.8090",
            "6, 7, 2, 7, 0.0582, 0.8062",
            "5, 56, 0, 29, -0.0381, 0.1926",
            "0, 10, 0, 20, -0.1611, 0.2775",
            "0, 10, 0, 10, -0.2775, 0.2775",
            "10, 10, 0, 20, 0.6791, 1.0000",
            "10, 10, 0, 10, 0.6075, 1.0000",
    })
    void newcombeHybridScoreIntervalAsPublished(long x1, long n1, long x2, long n2, double low, double high) {
        UpliftStats s = UpliftStats.of(settled(x1, n1 - x1), settled(x2, n2 - x2));
        assertThat(s.uplift()).isCloseTo((double) x1 / n1 - (double) x2 / n2, within(1e-12));
        assertThat(s.upliftCi95().low()).isCloseTo(low, within(FOUR_DECIMALS));
        assertThat(s.upliftCi95().high()).isCloseTo(high, within(FOUR_DECIMALS));
    }

    /** Newcombe (1998), "Two-sided confidence intervals for the single proportion", method 3 (Wilson). */
    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "81, 263, 0.2553, 0.3662",
            "15, 148, 0.0624, 0.1605",
            "0, 20, 0.0000, 0.1611",
            "1, 29, 0.0061, 0.1718",
    })
    void wilsonScoreIntervalAsPublished(long x, long n, double low, double high) {
        Interval w = UpliftStats.wilson(x, n, UpliftStats.Z95);
        assertThat(w.low()).isCloseTo(low, within(FOUR_DECIMALS));
        assertThat(w.high()).isCloseTo(high, within(FOUR_DECIMALS));
    }

    @Test
    void wilsonByHand() {
        // 56/70, z² = 3.841459: centre (112 + z²) / (2 (70 + z²)) = 0.784393,
        // half-width z sqrt(z² + 4·56·0.2) / (2 (70 + z²)) = 0.092560.
        Interval w = UpliftStats.wilson(56, 70, UpliftStats.Z95);
        assertThat(w.low()).isCloseTo(0.691834, within(1e-6));
        assertThat(w.high()).isCloseTo(0.876953, within(1e-6));
    }

    @Test
    void openEntriesAreLeftOutOfTheRates() {
        UpliftStats s = UpliftStats.of(new Group(12, 6, 2, 4, 0, 0), new Group(10, 4, 4, 2, 0, 0));
        assertThat(s.treated().saveRate()).isEqualTo(0.75);
        assertThat(s.heldOut().saveRate()).isEqualTo(0.5);
        assertThat(s.uplift()).isEqualTo(0.25);
    }

    @Test
    void revenueSavedAgainstTheControlRate() {
        // Treated: 3 saved of 4 settled, saved MRR 300.00, settled MRR 400.00 (the lost one had 100.00).
        // Control: 1 saved of 4 settled, rate 0.25. Expected at the control rate: 400.00 × 0.25 = 100.00.
        UpliftStats s = UpliftStats.of(new Group(5, 3, 1, 1, 30_000, 40_000), new Group(4, 1, 3, 0, 5_000, 20_000));
        assertThat(s.revenueSavedVsControlMinor()).isEqualTo(20_000L);
        assertThat(s.treated().savedMrrMinor()).isEqualTo(30_000L);
    }

    @Test
    void revenueRoundsToTheMinorUnit() {
        // Control rate 1/3: 1000 × 1/3 = 333.33..., 700 - 333.33 = 366.67 -> 367.
        UpliftStats s = UpliftStats.of(new Group(2, 1, 1, 0, 700, 1_000), settled(1, 2));
        assertThat(s.revenueSavedVsControlMinor()).isEqualTo(367L);
    }

    @Test
    void nothingIsDefinedWithoutSettledHeldOutEntries() {
        UpliftStats s = UpliftStats.of(new Group(5, 3, 1, 1, 30_000, 40_000), new Group(3, 0, 0, 3, 0, 0));
        assertThat(s.treated().saveRate()).isEqualTo(0.75);
        assertThat(s.heldOut().saveRate()).isNull();
        assertThat(s.uplift()).isNull();
        assertThat(s.upliftCi95()).isNull();
        assertThat(s.revenueSavedVsControlMinor()).isNull();
    }

    @Test
    void nothingIsDefinedWithoutSettledTreatedEntries() {
        UpliftStats s = UpliftStats.of(new Group(0, 0, 0, 0, 0, 0), settled(2, 2));
        assertThat(s.treated().saveRate()).isNull();
        assertThat(s.heldOut().saveRate()).isEqualTo(0.5);
        assertThat(s.uplift()).isNull();
        assertThat(s.upliftCi95()).isNull();
        assertThat(s.revenueSavedVsControlMinor()).isNull();
    }

    @Test
    void singleSettledEntryInEachGroupStaysWithinBounds() {
        UpliftStats s = UpliftStats.of(settled(1, 0), settled(0, 1));
        assertThat(s.uplift()).isEqualTo(1.0);
        assertThat(s.upliftCi95().low()).isBetween(-1.0, 1.0);
        assertThat(s.upliftCi95().high()).isEqualTo(1.0);
    }
}
