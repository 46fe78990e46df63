package io.churnradar.detect;

import io.churnradar.config.Rules;
import io.churnradar.score.AccountHealthModel;
import io.churnradar.score.Health;

/** The health score of a stored account state, with its components, as the detector computes it: for tools that read state. */
public final class HealthComponents {
    private HealthComponents() {}

    /** The health of {@code s} at event time {@code at} (epoch ms; a day close is the start of the next day) under {@code rules}. */
    public static Health at(AccountState s, Rules rules, long at) {
        return new AccountHealthModel(rules).compute(s, at);
    }
}
