package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.util.Map;

/**
 * ONBOARDING_STALLED: 14 days after the subscription STARTED the account has not activated, that is
 * used at least 3 distinct features since STARTED. Raised at started + 14 days; resolved when the
 * account activates, at the usage event that completes the count. A later STARTED starts a new
 * onboarding; an older one changes nothing.
 */
final class OnboardingStalledSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules.OnboardingStalled r;

    OnboardingStalledSignal(Rules rules) {
        this.r = rules.onboardingStalled;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
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

    private void checkActivation(AccountState s, SubscriptionState sub, long t, Emitter emit) {
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
        return sub.startedAt + r.days * SignalEngine.DAY_MS;
    }

    @Override
    public void onDeadline(AccountState s, long at, Emitter emit) {
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
