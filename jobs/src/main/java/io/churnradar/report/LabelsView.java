package io.churnradar.report;

import io.churnradar.propensity.ChurnLabels;
import java.time.Duration;

/** {@link ChurnLabels} as the report asks for them. */
public final class LabelsView implements ChurnOutcomes {
    private final ChurnLabels labels;

    public LabelsView(ChurnLabels labels) {
        this.labels = labels;
    }

    @Override
    public String definition() {
        return labels.definition().toString();
    }

    @Override
    public Duration horizon() {
        return labels.definition().horizon();
    }

    @Override
    public Boolean churnsWithin(String accountId, long at) {
        return switch (labels.label(accountId, at)) {
            case CHURN -> Boolean.TRUE;
            case STAY -> Boolean.FALSE;
            case CENSORED -> null;
        };
    }

    @Override
    public boolean mayChurnUnseen(String accountId, long at) {
        return labels.mayChurnUnseen(accountId, at);
    }

    @Override
    public Iterable<String> accounts() {
        return labels.accounts();
    }

    @Override
    public long[] churnMoments(String accountId) {
        return labels.churnMoments(accountId).stream().mapToLong(ChurnLabels.ChurnMoment::at).toArray();
    }
}
