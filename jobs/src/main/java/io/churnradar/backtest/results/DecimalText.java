package io.churnradar.backtest.results;

/**
 * Appends a double exactly as {@link Double#toString} writes it, at a fraction of its cost for the numbers the
 * result files mostly hold: a health update writes 18 of them (each component's value, weight and contribution,
 * rounded to tenths and hundredths), and a backtest of a million accounts spent about 6% of its detection thread in
 * the JDK's general conversion. Any other number goes through the JDK. {@code DecimalTextTest} compares the two
 * over every hundredth up to ±10,000 and over random numbers.
 */
final class DecimalText {
    /** {@link Double#toString} writes 10^7 and more in scientific notation. */
    private static final double PLAIN_BELOW = 1e7;

    private DecimalText() {}

    static StringBuilder append(StringBuilder b, double d) {
        if (d == 0) return Double.doubleToRawLongBits(d) == 0 ? b.append("0.0") : b.append(d);
        if (d > -PLAIN_BELOW && d < PLAIN_BELOW) {
            long k = Math.round(d * 100);
            // d is the double nearest to k/100 (the division is correctly rounded): the shortest decimal that reads
            // back as d has at most two decimals, and those are the digits Double.toString writes.
            if (k / 100.0 == d) {
                if (k < 0) {
                    b.append('-');
                    k = -k;
                }
                long cents = k % 100;
                b.append(k / 100).append('.');
                if (cents == 0) return b.append('0');
                if (cents < 10) return b.append('0').append(cents);
                return cents % 10 == 0 ? b.append(cents / 10) : b.append(cents);
            }
        }
        return b.append(d);
    }
}
