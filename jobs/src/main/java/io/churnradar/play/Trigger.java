package io.churnradar.play;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import java.io.Serializable;
import java.util.List;

/**
 * When a playbook starts for an alert episode: one of its signals (or any), at a severity of at
 * least {@link #minSeverity}, for an account whose health tier at detection is one of {@link #tiers}
 * (any when empty) and that is in the {@link #segment}.
 */
public final class Trigger implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Written in the rules as {@code signals: [ANY]}: every signal. */
    public static final String ANY_SIGNAL = "ANY";

    public final List<String> signals;
    public final Severity minSeverity;
    public final List<String> tiers;
    public final Segment segment;

    public Trigger(List<String> signals, Severity minSeverity, List<String> tiers, Segment segment) {
        this.signals = List.copyOf(signals);
        this.minSeverity = minSeverity;
        this.tiers = List.copyOf(tiers);
        this.segment = segment;
    }

    boolean matchesAlert(RiskAlert alert) {
        if (!signals.contains(ANY_SIGNAL) && !signals.contains(alert.getSignal())) return false;
        if (alert.getSeverity().ordinal() < minSeverity.ordinal()) return false;
        return tiers.isEmpty() || (alert.getHealthTier() != null && tiers.contains(alert.getHealthTier()));
    }
}
