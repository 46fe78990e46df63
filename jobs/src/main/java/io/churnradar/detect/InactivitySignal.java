package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.util.Map;

/** INACTIVITY: no login for 14 days; raised at last login + 14 days, resolved by the next login. */
final class InactivitySignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules.Inactivity r;

    InactivitySignal(Rules rules) {
        this.r = rules.inactivity;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type != EventType.LOGIN) return;
        if (s.lastLoginAt != NONE && e.eventTime <= s.lastLoginAt) return;
        long deadline = nextDeadline(s);
        if (deadline != NONE && deadline < e.eventTime) {
            // A login ahead of the watermark, after a gap longer than the limit: the deadline passed in
            // event time before it, so the episode happened; its timer would otherwise be moved past it.
            raise(s, deadline, emit);
        }
        s.lastLoginAt = e.eventTime;
        Map<String, String> ev = Evidence.map();
        ev.put("loginAt", Evidence.iso(e.eventTime));
        emit.resolve(Signal.INACTIVITY, e.eventTime, ev, "The account logged in again.");
    }

    @Override
    public long nextDeadline(AccountState s) {
        if (!r.enabled || s.lastLoginAt == NONE || s.episode(Signal.INACTIVITY) != null) {
            return NONE;
        }
        return s.lastLoginAt + r.days * SignalEngine.DAY_MS;
    }

    @Override
    public void onDeadline(AccountState s, long at, Emitter emit) {
        raise(s, at, emit);
    }

    private void raise(AccountState s, long deadline, Emitter emit) {
        Map<String, String> ev = Evidence.map();
        ev.put("lastLoginAt", Evidence.iso(s.lastLoginAt));
        ev.put("daysWithoutLogin", Integer.toString(r.days));
        emit.raise(Signal.INACTIVITY, r.severity, deadline, ev,
                "No login for " + r.days + " days (last login " + Evidence.iso(s.lastLoginAt) + ").");
    }
}
