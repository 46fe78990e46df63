package io.churnradar.signals.tickets;

import static io.churnradar.detect.AccountState.NONE;
import static io.churnradar.detect.state.EventTime.HOUR_MS;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.UrgentTicketsState;
import io.churnradar.detect.state.EventTime;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * URGENT_TICKET_AGING: an urgent ticket still not RESOLVED or CLOSED 48 hours after it was opened.
 * Raised at opened + 48h; one episode per account, open while at least one urgent ticket is past its
 * limit; resolved when the last of them is resolved, closed or lowered from URGENT.
 *
 * <p>A ticket is tracked from the event that shows it URGENT and open (OPENED, REOPENED, or an UPDATED
 * that raises its priority: the clock starts there). At most {@link Rules#MAX_TRACKED_URGENT_TICKETS}
 * are tracked: the oldest; a newer one beyond them is not tracked, an older one replaces the newest.
 * Tracking happens whether or not the signal is on: the health score counts aged urgent tickets.
 */
public final class UrgentTicketAgingSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.urgentTicketAging}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.URGENT_TICKET_AGING, "urgentTicketAging",
                    List.of("hours"), Settings.class, Settings::read)
            .evidence("ticketId", "openedAt", "hoursOpen", "agedUrgentTickets", "openUrgentTickets", "ticketStatus");

    /** URGENT_TICKET_AGING: an urgent ticket still open this many hours after it was opened. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int hours;

        public Settings(boolean enabled, Severity severity, int hours) {
            this.enabled = enabled;
            this.severity = severity;
            this.hours = hours;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.HIGH), b.integer("hours", 48, 1, 24 * 90));
        }
    }

    private final Settings r;

    public UrgentTicketAgingSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    /** Tracked urgent tickets past their limit at {@code at} (the health score's count). */
    public static int agedAt(AccountState s, long at, Settings r) {
        UrgentTicketsState u = s.urgentTickets;
        if (u == null) return 0;
        int n = 0;
        for (int i = 0; i < u.ids.length; i++) {
            if (u.aged[i] || u.openedAt[i] + r.hours * HOUR_MS <= at) n++;
        }
        return n;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.SUPPORT_TICKET) return;
        boolean urgent = e.priority == TicketPriority.URGENT;
        boolean ends = e.ticketStatus == TicketStatus.RESOLVED || e.ticketStatus == TicketStatus.CLOSED;
        UrgentTicketsState u = s.urgentTickets;
        int i = u == null ? -1 : Arrays.asList(u.ids).indexOf(e.ticketId);
        if (i < 0) {
            if (urgent && !ends) track(s.urgentTickets(), e.ticketId, e.eventTime);
        } else if ((ends || !urgent) && e.eventTime >= u.openedAt[i]) {
            untrack(s, u, i, e, ends ? e.ticketStatus.name() : "PRIORITY_LOWERED", emit);
        }
    }

    @Override
    public long nextDeadline(AccountState s) {
        UrgentTicketsState u = s.urgentTickets;
        if (u == null) return NONE;
        long next = NONE;
        for (int i = 0; i < u.ids.length; i++) {
            if (!u.aged[i]) next = EventTime.earliest(next, limit(u, i));
        }
        return next;
    }

    @Override
    public void onDeadline(AccountState s, long at, Alerting emit) {
        UrgentTicketsState u = s.urgentTickets;
        int oldest = -1;
        for (int i = 0; i < u.ids.length; i++) {
            if (!u.aged[i] && limit(u, i) <= at) {
                u.aged[i] = true;
                if (oldest < 0 || u.openedAt[i] < u.openedAt[oldest]) oldest = i;
            }
        }
        if (oldest >= 0) raise(s, u, oldest, at, emit);
    }

    private long limit(UrgentTicketsState u, int i) {
        return u.openedAt[i] + r.hours * HOUR_MS;
    }

    private void raise(AccountState s, UrgentTicketsState u, int i, long at, Alerting emit) {
        if (!r.enabled) return;
        Map<String, String> ev = Evidence.map();
        ev.put("ticketId", u.ids[i]);
        ev.put("openedAt", Evidence.iso(u.openedAt[i]));
        ev.put("hoursOpen", Long.toString((at - u.openedAt[i]) / HOUR_MS));
        ev.put("agedUrgentTickets", Integer.toString(agedAt(s, at, r)));
        ev.put("openUrgentTickets", Integer.toString(u.ids.length));
        emit.raise(Signal.URGENT_TICKET_AGING, r.severity, at, ev,
                "Urgent ticket " + u.ids[i] + " is still open " + r.hours + " hours after it was opened.");
    }

    private static void track(UrgentTicketsState u, String ticketId, long at) {
        int n = u.ids.length;
        int slot;
        if (n < Rules.MAX_TRACKED_URGENT_TICKETS) {
            u.ids = Arrays.copyOf(u.ids, n + 1);
            u.openedAt = Arrays.copyOf(u.openedAt, n + 1);
            u.aged = Arrays.copyOf(u.aged, n + 1);
            slot = n;
        } else {
            slot = 0;
            for (int i = 1; i < n; i++) if (u.openedAt[i] > u.openedAt[slot]) slot = i;
            if (at >= u.openedAt[slot]) return; // newer than every tracked one: the oldest are kept
        }
        u.ids[slot] = ticketId;
        u.openedAt[slot] = at;
        u.aged[slot] = false;
    }

    private void untrack(AccountState s, UrgentTicketsState u, int i, AccountEvent e, String how, Alerting emit) {
        long t = e.eventTime;
        if (!u.aged[i] && limit(u, i) < t) {
            // Its limit passed in event time before this event (ahead of the watermark): that came first.
            u.aged[i] = true;
            raise(s, u, i, limit(u, i), emit);
        }
        String ticketId = u.ids[i];
        remove(u, i);
        if (u.ids.length == 0) s.urgentTickets = null;
        if (s.episode(Signal.URGENT_TICKET_AGING) == null) return;
        for (int j = 0; j < u.ids.length; j++) {
            if (u.aged[j] || limit(u, j) < t) return; // another one is still past its limit
        }
        Map<String, String> ev = Evidence.map();
        ev.put("ticketId", ticketId);
        ev.put("ticketStatus", how);
        ev.put("openUrgentTickets", Integer.toString(u.ids.length));
        emit.resolve(Signal.URGENT_TICKET_AGING, t, ev, how.equals("PRIORITY_LOWERED")
                ? "Ticket " + ticketId + " is no longer urgent; no urgent ticket is past its limit."
                : "Ticket " + ticketId + " was " + how.toLowerCase() + "; no urgent ticket is past its limit.");
    }

    private static void remove(UrgentTicketsState u, int i) {
        int n = u.ids.length;
        String[] ids = new String[n - 1];
        long[] opened = new long[n - 1];
        boolean[] aged = new boolean[n - 1];
        for (int j = 0, k = 0; j < n; j++) {
            if (j == i) continue;
            ids[k] = u.ids[j];
            opened[k] = u.openedAt[j];
            aged[k] = u.aged[j];
            k++;
        }
        u.ids = ids;
        u.openedAt = opened;
        u.aged = aged;
    }
}
