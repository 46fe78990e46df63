package io.churnradar.score;

/**
 * One component of the health score: its own value 0..100 (100 is healthy), its weight from the
 * rules (the weights sum to 100) and so its contribution, {@code value * weight / 100} points.
 */
public record ScoreComponent(String name, double value, double weight) {
    public static final String USAGE_TREND = "usageTrend";
    public static final String LOGIN_RECENCY = "loginRecency";
    public static final String FEATURE_BREADTH = "featureBreadth";
    public static final String SUPPORT_BURDEN = "supportBurden";
    public static final String PAYMENT_HEALTH = "paymentHealth";
    public static final String SENTIMENT = "sentiment";

    public double contribution() {
        return contribution(value, weight);
    }

    static double contribution(double value, double weight) {
        return Math.round(value * weight) / 100.0;
    }
}
