package io.churnradar.signals.feedback;

import io.churnradar.alerts.Severity;
import io.churnradar.signals.SettingsBlock;
import java.io.Serializable;

/** NPS_DETRACTOR and LOW_CSAT: an answer at or below maxScore raises, a later one at or above resolveAtScore resolves. */
public final class ScoreThreshold implements Serializable {
    private static final long serialVersionUID = 1L;
    public final boolean enabled;
    public final Severity severity;
    public final int maxScore;
    public final int resolveAtScore;

    public ScoreThreshold(boolean enabled, Severity severity, int maxScore, int resolveAtScore) {
        this.enabled = enabled;
        this.severity = severity;
        this.maxScore = maxScore;
        this.resolveAtScore = resolveAtScore;
    }

    /** Reads a block whose scores range over {@code min..max}, with the given defaults. */
    static ScoreThreshold read(SettingsBlock b, Severity severity, int maxScore, int resolveAtScore, int min, int max) {
        boolean enabled = b.enabled();
        Severity sev = b.severity(severity);
        int before = b.problems();
        // A later answer above maxScore resolves: so maxScore stops below the top of the scale, resolveAtScore above its foot.
        int raiseAt = b.integer("maxScore", maxScore, min, max - 1);
        int resolveAt = b.integer("resolveAtScore", resolveAtScore, min + 1, max);
        if (b.problems() == before && resolveAt <= raiseAt) {
            b.error("resolveAtScore", "must be above maxScore (" + raiseAt + "), got " + resolveAt);
        }
        return new ScoreThreshold(enabled, sev, raiseAt, resolveAt);
    }
}
