package io.churnradar.propensity;

import java.io.Serializable;
import java.util.List;

/**
 * An account's churn propensity at a day close: the calibrated probability of churning within the
 * model's horizon, and the features that raised it most, each with its value and its contribution to the
 * calibrated log-odds (SHAP values of the trees, scaled by the calibration).
 */
public record ChurnScore(double probability, List<Contribution> topContributions) implements Serializable {
    public record Contribution(String feature, float value, double contribution) implements Serializable {}
}
