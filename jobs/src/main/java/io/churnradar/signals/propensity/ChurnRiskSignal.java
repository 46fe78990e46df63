package io.churnradar.signals.propensity;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.ModelReference;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.propensity.ChurnModel;
import io.churnradar.propensity.ChurnScore;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CHURN_RISK: at each UTC day close, while the rules carry a churn propensity model ({@code model}), every
 * live account is scored by it: the calibrated probability of churning within the model's horizon and the
 * features that raised it most. The score rides on the health update published at that close. The signal
 * is raised when the probability reaches {@code raiseAt}, escalated through the severity bands
 * ({@code highAt}, {@code criticalAt}), and resolved only once it falls below {@code resolveBelow}, which is
 * lower than {@code raiseAt} so that a probability hovering at the threshold does not flap.
 *
 * <p>Live: the account showed activity (a login, usage, a ticket, a payment, a survey answer or a
 * subscription event) within the model's horizon before the close, and is not CHURNED. An account silent
 * for longer has churned by the model's own definition; it is no longer scored, so it needs no day-close
 * timer (its next event makes it live again). An open CHURN_RISK episode stays open then: the risk came
 * true. Without a model the family is idle and asks for no day close.
 */
public final class ChurnRiskSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.churnRisk}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.CHURN_RISK, "churnRisk",
                    List.of("raiseAt", "resolveBelow", "highAt", "criticalAt"), Settings.class, Settings::read)
            .evidence("probability", "threshold", "topFeatures", "model");

    /** CHURN_RISK: the thresholds on the model's probability. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        /** The severity below the bands. */
        public final Severity severity;
        public final double raiseAt;
        public final double resolveBelow;
        public final double highAt;
        public final double criticalAt;

        public Settings(boolean enabled, Severity severity, double raiseAt, double resolveBelow, double highAt, double criticalAt) {
            this.enabled = enabled;
            this.severity = severity;
            this.raiseAt = raiseAt;
            this.resolveBelow = resolveBelow;
            this.highAt = highAt;
            this.criticalAt = criticalAt;
        }

        static Settings read(SettingsBlock b) {
            int before = b.problems();
            Settings s = new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.number("raiseAt", 0.5, 0.01, 1),
                    b.number("resolveBelow", 0.35, 0, 1), b.number("highAt", 0.7, 0.01, 1), b.number("criticalAt", 0.9, 0.01, 1));
            if (b.problems() > before) return s; // a rejected value reads as its default: comparing it would mislead
            if (s.resolveBelow >= s.raiseAt) {
                b.error("resolveBelow", "must be below raiseAt (" + SettingsBlock.fmt(s.raiseAt) + "), got "
                        + SettingsBlock.fmt(s.resolveBelow) + ": the gap between them keeps the signal from flapping");
            }
            if (s.highAt < s.raiseAt) {
                b.error("highAt", "must be raiseAt (" + SettingsBlock.fmt(s.raiseAt) + ") or more, got " + SettingsBlock.fmt(s.highAt));
            }
            if (s.criticalAt < s.highAt) {
                b.error("criticalAt", "must be highAt (" + SettingsBlock.fmt(s.highAt) + ") or more, got " + SettingsBlock.fmt(s.criticalAt));
            }
            return s;
        }
    }

    private final Settings r;
    /** Null without a model. Loaded once with the rules, shared by every account this engine scores. */
    private final ChurnModel model;
    private final String modelId;
    private final long horizonMs;

    public ChurnRiskSignal(Rules rules) {
        this.r = rules.signal(SPEC);
        ModelReference ref = rules.model;
        this.model = ref == null ? null : ref.model();
        this.modelId = ref == null ? null : ref.id();
        this.horizonMs = model == null ? 0 : model.definition().horizonMs();
    }

    @Override
    public long firstDayNeedingClose(AccountState s, long fromDay) {
        return model != null && scored(s, EventTime.closeAt(fromDay)) ? fromDay : NONE;
    }

    @Override
    public void onDayClose(AccountState s, long d, Alerting emit) {
        long closeAt = EventTime.closeAt(d);
        if (model == null || !scored(s, closeAt)) return;
        ChurnScore score = model.score(s, closeAt);
        emit.scored(score, closeAt);
        if (!r.enabled) return;
        double p = score.probability();
        boolean open = s.episode(Signal.CHURN_RISK) != null;
        if (p >= r.raiseAt) {
            Severity severity = p >= r.criticalAt ? Severity.CRITICAL : p >= r.highAt ? Severity.HIGH : r.severity;
            Map<String, String> ev = evidence(score, r.raiseAt);
            emit.raiseOrEscalate(Signal.CHURN_RISK, severity, closeAt, ev, String.format(Locale.ROOT,
                    "Churn probability %s within %s (at least %s), raised most by %s.", ev.get("probability"),
                    model.definition().horizon().toDays() + " days", Evidence.num(r.raiseAt), ev.get("topFeatures")));
        } else if (open && p < r.resolveBelow) {
            Map<String, String> ev = evidence(score, r.resolveBelow);
            emit.resolve(Signal.CHURN_RISK, closeAt, ev, "Churn probability down to " + ev.get("probability")
                    + ", below " + Evidence.num(r.resolveBelow) + ".");
        }
    }

    /** Whether an account is scored at a close: live within the model's horizon and not CHURNED. */
    private boolean scored(AccountState s, long closeAt) {
        if (s.firstEventDay == NONE || s.episode(Signal.CHURNED) != null) return false;
        long last = lastActivityAt(s);
        return last != NONE && closeAt - last <= horizonMs;
    }

    /** The latest instant the state shows the account doing anything, or NONE. */
    static long lastActivityAt(AccountState s) {
        long last = Math.max(s.lastLoginAt, Math.max(s.lastPaymentSuccessAt, s.lastPaymentFailureAt));
        for (long t : s.featureLastUsedAt) last = Math.max(last, t);
        if (!DayBuckets.isEmpty(s)) {
            // Usage without a feature and tickets live only in the day buckets: the end of their latest day.
            last = Math.max(last, EventTime.closeAt(DayBuckets.newestDay(s)) - 1);
        }
        if (s.feedback != null) last = Math.max(last, Math.max(s.feedback.lastNpsAt, s.feedback.lastCsatAt));
        if (s.subscription != null) last = Math.max(last, s.subscription.lifecycleAt);
        // The first event counts too: an account seen once is scored for a horizon after it.
        return Math.max(last, s.firstEventTime());
    }

    private Map<String, String> evidence(ChurnScore score, double threshold) {
        Map<String, String> ev = Evidence.map();
        ev.put("probability", String.format(Locale.ROOT, "%.3f", score.probability()));
        ev.put("threshold", Evidence.num(threshold));
        StringBuilder top = new StringBuilder();
        for (ChurnScore.Contribution c : score.topContributions()) {
            if (top.length() > 0) top.append(", ");
            top.append(c.feature()).append('=').append(Float.isNaN(c.value()) ? "none" : Evidence.num(Math.round(c.value() * 100) / 100.0))
                    .append(String.format(Locale.ROOT, " (%+.2f)", c.contribution()));
        }
        ev.put("topFeatures", top.length() == 0 ? "none" : top.toString());
        ev.put("model", modelId);
        return ev;
    }
}
