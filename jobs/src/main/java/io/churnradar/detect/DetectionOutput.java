package io.churnradar.detect;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import java.util.function.Consumer;

/** Where the detection core sends what it finds: alerts, and health updates when a caller wants them. */
@FunctionalInterface
public interface DetectionOutput extends Consumer<RiskAlert> {
    /** A health update of the account; ignored unless the caller overrides it. */
    default void health(AccountHealth health) {}
}
