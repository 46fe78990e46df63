package io.churnradar.propensity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The evaluation's printed summary: its Brier score beside the churn rate's own, and a note when it is no better. */
class ModelEvaluationTest {

    @Test
    void probabilitiesNoCloserThanTheChurnRateAloneAreSaidToRankOnly() {
        // Half the rows churn: a constant 0.5 scores 0.25. Confident and right scores below it; confident and often wrong above it.
        byte[] y = {1, 0, 1, 0, 1, 0, 1, 0};
        ModelEvaluation good = ModelEvaluation.of(new double[] {0.9, 0.1, 0.8, 0.2, 0.9, 0.1, 0.8, 0.2}, y);
        assertThat(good.summary()).contains("(0.2500 for the churn rate alone)").doesNotContain("note:");

        ModelEvaluation overconfident = ModelEvaluation.of(new double[] {0.95, 0.9, 0.95, 0.05, 0.05, 0.9, 0.95, 0.05}, y);
        assertThat(overconfident.brier).isGreaterThan(0.25);
        assertThat(overconfident.summary()).contains("note: on this period the probabilities are no closer than the churn rate alone",
                "rank accounts by them (AUC), do not read them as chances");
    }
}
