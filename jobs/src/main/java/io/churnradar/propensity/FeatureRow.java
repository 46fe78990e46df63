package io.churnradar.propensity;

/** One account's features at the close of one day ({@link ChurnFeatures}' order); a POJO. */
public class FeatureRow {
    public String accountId;
    /** The closed UTC epoch day: the features are as of midnight after it. */
    public long day;
    public float[] features;

    public FeatureRow() {}

    public FeatureRow(String accountId, long day, float[] features) {
        this.accountId = accountId;
        this.day = day;
        this.features = features;
    }
}
