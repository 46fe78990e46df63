package io.churnradar.detect;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.time.Instant;
import java.util.List;

/** Alerts as one short line each, "SIGNAL STATUS SEVERITY @detectedAt", for readable assertions. */
final class AlertLines {
    private AlertLines() {}

    static String line(RiskAlert a) {
        return a.getSignal() + " " + a.getStatus() + " " + a.getSeverity() + " @" + a.getDetectedAt();
    }

    static String line(Signal signal, String status, String severity, long detectedAt) {
        return signal + " " + status + " " + severity + " @" + Instant.ofEpochMilli(detectedAt);
    }

    /** The alerts of one signal. */
    static List<RiskAlert> of(Signal signal, List<RiskAlert> alerts) {
        return alerts.stream().filter(a -> a.getSignal().equals(signal.name())).toList();
    }

    static List<String> lines(List<RiskAlert> alerts) {
        return alerts.stream().map(AlertLines::line).toList();
    }
}
