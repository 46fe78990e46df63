package io.churnradar.backtest.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DecimalText} writes what {@link Double#toString} writes, on its fast path and off it. */
class DecimalTextTest {
    private static String text(double d) {
        return DecimalText.append(new StringBuilder(), d).toString();
    }

    @Test
    void everyHundredthUpToTenThousandIsWrittenAsTheJdkWritesIt() {
        for (long k = -1_000_000; k <= 1_000_000; k++) {
            double d = k / 100.0;
            String expected = Double.toString(d);
            if (!text(d).equals(expected)) assertThat(text(d)).as("%d/100", k).isEqualTo(expected);
        }
    }

    @Test
    void hundredthsUpToTenMillionAndAnyOtherNumberToo() {
        Random r = new Random(7);
        for (int i = 0; i < 2_000_000; i++) {
            double hundredth = (r.nextLong() % 1_000_000_000L) / 100.0;
            double any = switch (i % 4) {
                case 0 -> r.nextDouble() * 200 - 100;
                case 1 -> Double.longBitsToDouble(r.nextLong());
                case 2 -> Math.round(r.nextDouble() * 1000) / 10.0 * 1.0000000001;
                default -> r.nextGaussian() * 1e9;
            };
            assertThat(text(hundredth)).isEqualTo(Double.toString(hundredth));
            assertThat(text(any)).isEqualTo(Double.toString(any));
        }
        for (double d : new double[] {0.0, -0.0, 1e7, -1e7, 9_999_999.99, 1e-3, 0.001, 0.01, 0.05, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE}) {
            assertThat(text(d)).as("%s", d).isEqualTo(Double.toString(d));
        }
    }
}
