package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BacktestProgressTest {
    @Test
    void saysLinesRateShareAndTimeLeftWhereTheSizeIsKnown() {
        assertThat(BacktestProgress.line(1_234_567, 45_000_000, 100_000_000, 50))
                .isEqualTo("  read 1,234,567 lines (45%), 24,691 lines/s, about 1 min 1 s left");
        assertThat(BacktestProgress.line(1_000, 0, -1, 2)).isEqualTo("  read 1,000 lines, 500 lines/s");
        assertThat(BacktestProgress.line(10, 100, 100, 1)).isEqualTo("  read 10 lines (100%), 10 lines/s");
    }
}
