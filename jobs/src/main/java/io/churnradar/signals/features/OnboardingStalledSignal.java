package io.churnradar.signals.features;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SubscriptionState;
import io.churnradar.detect.state.EventTime;
import io.churnradar.detect.state.FeatureUsage;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * ONBOARDING_STALLED: 14 days after the subscription STARTED the account has not activated, that is
 * used at least 3 distinct features since STARTED. Raised at started + 14 days; resolved when the
 * account activates, at the usage event that completes the count. A later STARTED starts a new
 * onboarding; an older one changes nothing.
 */
public final class OnboardingStalledSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.onboardingStalled}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.ONBOARDING_STALLED, "onboardingStalled",
                    List.of("days", "minFeatures"), Settings.class, Settings::read)
            .evidence("startedAt", "featuresUsed", "features", "minFeatures", "activatedAt");

    /** ONBOARDING_STALLED: not activated (minFeatures distinct features used since STARTED) this many days after STARTED. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int days;
        public final int minFeatures;

        public Settings(boolean enabled, Severity severity, int days, int minFeatures) {
            this.enabled = enabled;
            this.severity = severity;
            this.days = days;
            this.minFeatures = minFeatures;
        }

        static Settings read(SettingsBlock b) {
            // At most the features an account's state tracks: more could never be counted.
            return new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.integer("days", 14, 1, 365),
                    b.integer("minFeatures", 3, 1, Rules.MAX_TRACKED_FEATURES));
        }
    }

    private final Settings r;

    public OnboardingStalledSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type == EventType.SUBSCRIPTION && e.action == SubscriptionAction.STARTED) {
            SubscriptionState sub = s.subscription();
            if (sub.startedAt != NONE && e.eventTime <= sub.startedAt) return;
            sub.startedAt = e.eventTime;
            sub.activatedAt = NONE;
            sub.onboardingDeadlinePassed = false;
            checkActivation(s, sub, e.eventTime, emit); // usage since STARTED may have arrived before it
        } else if (e.type == EventType.USAGE && e.quantity > 0 && s.subscription != null) {
            SubscriptionState sub = s.subscription;
            if (sub.startedAt != NONE && sub.activatedAt == NONE && e.eventTime >= sub.startedAt) {
                checkActivation(s, sub, e.eventTime, emit);
            }
        }
    }

    private void checkActivation(AccountState s, SubscriptionState sub, long t, Alerting emit) {
        if (FeatureUsage.countUsedSince(s, sub.startedAt) < r.minFeatures) return;
        long deadline = nextDeadline(s);
        if (deadline != NONE && deadline < t) {
            onDeadline(s, deadline, emit); // it stalled in event time before it activated (ahead of the watermark)
        }
        sub.activatedAt = t;
        Map<String, String> ev = Evidence.map();
        ev.put("activatedAt", Evidence.iso(t));
        ev.put("features", String.join(",", FeatureUsage.namesUsedSince(s, sub.startedAt)));
        emit.resolve(Signal.ONBOARDING_STALLED, t, ev, "The account activated: "
                + FeatureUsage.countUsedSince(s, sub.startedAt) + " features used since it started.");
    }

    @Override
    public long nextDeadline(AccountState s) {
        SubscriptionState sub = s.subscription;
        if (!r.enabled || sub == null || sub.startedAt == NONE || sub.activatedAt != NONE || sub.onboardingDeadlinePassed) {
            return NONE;
        }
        return sub.startedAt + r.days * EventTime.DAY_MS;
    }

    @Override
    public void onDeadline(AccountState s, long at, Alerting emit) {
        SubscriptionState sub = s.subscription;
        sub.onboardingDeadlinePassed = true;
        Map<String, String> ev = Evidence.map();
        int used = FeatureUsage.countUsedSince(s, sub.startedAt);
        ev.put("startedAt", Evidence.iso(sub.startedAt));
        ev.put("featuresUsed", Integer.toString(used));
        if (used > 0) ev.put("features", String.join(",", FeatureUsage.namesUsedSince(s, sub.startedAt)));
        ev.put("minFeatures", Integer.toString(r.minFeatures));
        emit.raise(Signal.ONBOARDING_STALLED, r.severity, at, ev, "Not activated " + r.days + " days after the subscription started: "
                + used + " of " + r.minFeatures + " features used.");
    }
}
