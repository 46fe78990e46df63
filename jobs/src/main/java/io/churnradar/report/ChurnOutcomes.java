package io.churnradar.report;

import java.time.Duration;

/**
 * What the report needs of the churn labels (propensity.ChurnLabels in the backtest, the training set's
 * labels in {@code train}): whether an account churns within the horizon after an instant, and each
 * account's churn moments. Kept to these few questions so the report does not depend on how labels are built.
 */
public interface ChurnOutcomes {
    /** How the labels were made, for the reader, e.g. {@code inactivity:90d}. */
    String definition();

    /** How far after an instant a churn counts. */
    Duration horizon();

    /** The training label at {@code at}, for judging model scores: TRUE when the account churns within the horizon after it, FALSE when not, null when the data ends first (censored). */
    Boolean churnsWithin(String accountId, long at);

    /**
     * Whether a churn the history does not show could still fall within the horizon after {@code at}: then an alert at
     * {@code at} without a churn moment in its horizon is censored, not wrong.
     */
    boolean mayChurnUnseen(String accountId, long at);

    /** The accounts the labels know. */
    Iterable<String> accounts();

    /** The account's churn moments (epoch ms), ascending; empty when it never churned. */
    long[] churnMoments(String accountId);
}
