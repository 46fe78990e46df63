package io.churnradar.signals.features;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.EventTime;
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
 * CORE_FEATURE_UNUSED: none of the configured core features used (usage quantity > 0) for 10 days.
 * The clock starts at the account's first event of any type and restarts at each use of a core
 * feature; raised at that start + 10 days, resolved by the next use of a core feature. Off when no
 * core features are configured.
 */
public final class CoreFeatureUnusedSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.coreFeatureUnused}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.CORE_FEATURE_UNUSED, "coreFeatureUnused",
                    List.of("days", "coreFeatures"), Settings.class, Settings::read)
            .evidence("coreFeatures", "lastCoreUseAt", "daysWithoutCoreUse", "feature", "usedAt");

    /** CORE_FEATURE_UNUSED: none of coreFeatures used for this many days; no core features, no signal. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int days;
        public final List<String> coreFeatures;

        public Settings(boolean enabled, Severity severity, int days, List<String> coreFeatures) {
            this.enabled = enabled;
            this.severity = severity;
            this.days = days;
            this.coreFeatures = List.copyOf(coreFeatures);
        }

        public boolean active() {
            return enabled && !coreFeatures.isEmpty();
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.integer("days", 10, 1, 365),
                    b.names("coreFeatures", Rules.MAX_CORE_FEATURES));
        }
    }

    private final Settings r;

    public CoreFeatureUnusedSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (!r.active() || e.type != EventType.USAGE || e.quantity <= 0 || !r.coreFeatures.contains(e.feature)) return;
        long t = e.eventTime;
        long deadline = nextDeadline(s);
        if (deadline != NONE && deadline < t) {
            raise(s, deadline, emit); // the gap passed in event time before this use (ahead of the watermark)
        }
        boolean ends = s.lastCoreFeatureUseAt == NONE || t > s.lastCoreFeatureUseAt;
        s.lastCoreFeatureUseAt = Math.max(s.lastCoreFeatureUseAt, t);
        if (!ends) return; // an older use does not shorten the gap that raised the episode
        Map<String, String> ev = Evidence.map();
        ev.put("feature", e.feature);
        ev.put("usedAt", Evidence.iso(t));
        emit.resolve(Signal.CORE_FEATURE_UNUSED, t, ev, "Core feature " + e.feature + " was used again.");
    }

    @Override
    public long nextDeadline(AccountState s) {
        if (!r.active() || s.episode(Signal.CORE_FEATURE_UNUSED) != null) return NONE;
        long first = s.firstEventTime();
        long since = s.lastCoreFeatureUseAt == NONE ? first : Math.max(s.lastCoreFeatureUseAt, first);
        return since == NONE ? NONE : since + r.days * EventTime.DAY_MS;
    }

    @Override
    public void onDeadline(AccountState s, long at, Alerting emit) {
        raise(s, at, emit);
    }

    private void raise(AccountState s, long at, Alerting emit) {
        Map<String, String> ev = Evidence.map();
        ev.put("coreFeatures", String.join(",", r.coreFeatures));
        ev.put("lastCoreUseAt", s.lastCoreFeatureUseAt == NONE ? "never" : Evidence.iso(s.lastCoreFeatureUseAt));
        ev.put("daysWithoutCoreUse", Integer.toString(r.days));
        emit.raise(Signal.CORE_FEATURE_UNUSED, r.severity, at, ev, s.lastCoreFeatureUseAt == NONE
                ? "No core feature (" + String.join(", ", r.coreFeatures) + ") used in the account's first " + r.days + " days."
                : "No core feature (" + String.join(", ", r.coreFeatures) + ") used for " + r.days + " days.");
    }
}
