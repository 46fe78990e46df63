package io.churnradar.propensity;

import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.util.TimeUtils;

/**
 * What "churned" means for the labels of a model: the basis and the horizon, written as a spec such as
 * {@code inactivity:90d}, {@code canceled:60d} or {@code auto} (the horizon defaults to 90 days). The spec
 * is stored in the model, so that a model says what it predicts.
 *
 * <ul>
 *   <li>{@code canceled} (contractual): a CANCELED subscription event in (t, t + horizon];
 *   <li>{@code inactivity} (non-contractual): no login, usage or payment in (t, t + horizon];
 *   <li>{@code auto}: {@code canceled} when the history holds subscription events, else {@code inactivity}.
 * </ul>
 *
 * <p>The horizon is a day or more (labels are asked at day closes), written as in Flink's configuration
 * (its TimeUtils): {@code 90d}, {@code 90 days}, {@code 2160h}. Flink's util class is the one piece of Flink this package names: it keeps
 * the syntax of the spec the same as every other duration of the launcher.
 */
public final class ChurnDefinition implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_HORIZON = Duration.ofDays(90);
    public static final ChurnDefinition DEFAULT = new ChurnDefinition(Basis.AUTO, DEFAULT_HORIZON);

    public enum Basis {
        AUTO, CANCELED, INACTIVITY;

        String spec() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Basis basis;
    private final long horizonMs;

    public ChurnDefinition(Basis basis, Duration horizon) {
        this.basis = Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(horizon, "horizon");
        if (horizon.compareTo(Duration.ofDays(1)) < 0) throw new IllegalArgumentException("the churn horizon must be a day or more, got " + horizon);
        this.horizonMs = horizon.toMillis();
    }

    /**
     * Reads a spec {@code BASIS[:HORIZON]} or {@code HORIZON} alone (basis auto).
     *
     * @throws IllegalArgumentException naming what is allowed
     */
    public static ChurnDefinition parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty churn definition: use auto, canceled or inactivity, optionally with :HORIZON such as inactivity:90d");
        String text = spec.trim();
        int colon = text.indexOf(':');
        String basisText = colon < 0 ? text : text.substring(0, colon).trim();
        String horizonText = colon < 0 ? null : text.substring(colon + 1).trim();
        Basis basis = basisOf(basisText);
        if (basis == null && colon < 0) {
            // A horizon alone: "60d"; a word that is neither a basis nor a duration is a basis misspelled.
            if (!Character.isDigit(text.charAt(0))) {
                throw new IllegalArgumentException("'" + spec + "' is neither a churn basis nor a horizon: use auto, canceled or inactivity,"
                        + " optionally with :HORIZON such as inactivity:90d, or a horizon alone such as 90d");
            }
            return new ChurnDefinition(Basis.AUTO, horizon(text, spec));
        }
        if (basis == null) {
            throw new IllegalArgumentException("unknown churn basis '" + basisText + "' in '" + spec + "': use auto, canceled or inactivity");
        }
        return new ChurnDefinition(basis, horizonText == null ? DEFAULT_HORIZON : horizon(horizonText, spec));
    }

    private static Basis basisOf(String text) {
        for (Basis b : Basis.values()) if (b.spec().equalsIgnoreCase(text)) return b;
        return null;
    }

    private static Duration horizon(String text, String spec) {
        Duration d;
        try {
            d = TimeUtils.parseDuration(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' in churn definition '" + spec + "' is not a duration such as 90d or 2160h");
        }
        if (d.compareTo(Duration.ofDays(1)) < 0) throw new IllegalArgumentException("the churn horizon must be a day or more, got '" + text + "' in '" + spec + "'");
        return d;
    }

    public Basis basis() {
        return basis;
    }

    public Duration horizon() {
        return Duration.ofMillis(horizonMs);
    }

    public long horizonMs() {
        return horizonMs;
    }

    /** The same horizon with {@code auto} resolved: canceled when the history has subscription events. */
    public ChurnDefinition resolve(boolean historyHasSubscriptions) {
        if (basis != Basis.AUTO) return this;
        return new ChurnDefinition(historyHasSubscriptions ? Basis.CANCELED : Basis.INACTIVITY, horizon());
    }

    public ChurnDefinition withHorizon(Duration horizon) {
        return new ChurnDefinition(basis, horizon);
    }

    /** The spec, which {@link #parse} reads back: {@code inactivity:90d}. */
    @Override
    public String toString() {
        return basis.spec() + ":" + TimeUtils.formatWithHighestUnit(horizon()).replace(" ", "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChurnDefinition d && d.basis == basis && d.horizonMs == horizonMs;
    }

    @Override
    public int hashCode() {
        return basis.hashCode() * 31 + Long.hashCode(horizonMs);
    }
}
