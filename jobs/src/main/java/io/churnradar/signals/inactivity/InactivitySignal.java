package io.churnradar.signals.inactivity;

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

/** INACTIVITY: no login for 14 days; raised at last login + 14 days, resolved by the next login. */
public final class InactivitySignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.inactivity}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.INACTIVITY, "inactivity", List.of("days"),
                    Settings.class, Settings::read)
            .evidence("loginAt", "lastLoginAt", "daysWithoutLogin");

    /** INACTIVITY: no login for this many days. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int days;

        public Settings(boolean enabled, Severity severity, int days) {
            this.enabled = enabled;
            this.severity = severity;
            this.days = days;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.integer("days", 14, 1, 365));
        }
    }

    private final Settings r;

    public InactivitySignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.LOGIN) return;
        if (s.lastLoginAt != NONE && e.eventTime <= s.lastLoginAt) return;
        long deadline = nextDeadline(s);
        if (deadline != NONE && deadline < e.eventTime) {
            // A login ahead of the watermark, after a gap longer than the limit: the deadline passed in
            // event time before it, so the episode happened; its timer would otherwise be moved past it.
            raise(s, deadline, emit);
        }
        s.lastLoginAt = e.eventTime;
        if (s.episode(Signal.INACTIVITY) == null) return; // nothing to resolve: no evidence to write (most logins)
        Map<String, String> ev = Evidence.map();
        ev.put("loginAt", Evidence.iso(e.eventTime));
        emit.resolve(Signal.INACTIVITY, e.eventTime, ev, "The account logged in again.");
    }

    @Override
    public long nextDeadline(AccountState s) {
        if (!r.enabled || s.lastLoginAt == NONE || s.episode(Signal.INACTIVITY) != null) {
            return NONE;
        }
        return s.lastLoginAt + r.days * EventTime.DAY_MS;
    }

    @Override
    public void onDeadline(AccountState s, long at, Alerting emit) {
        raise(s, at, emit);
    }

    private void raise(AccountState s, long deadline, Alerting emit) {
        Map<String, String> ev = Evidence.map();
        ev.put("lastLoginAt", Evidence.iso(s.lastLoginAt));
        ev.put("daysWithoutLogin", Integer.toString(r.days));
        emit.raise(Signal.INACTIVITY, r.severity, deadline, ev,
                "No login for " + r.days + " days (last login " + Evidence.iso(s.lastLoginAt) + ").");
    }
}
