package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;
import static io.churnradar.detect.Evidence.HOUR_MS;

import io.churnradar.config.Rules;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import java.util.Arrays;
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
final class UrgentTicketAgingSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules.UrgentTicketAging r;

    UrgentTicketAgingSignal(Rules rules) {
        this.r = rules.urgentTicketAging;
    }

    /** Tracked urgent tickets past their limit at {@code at} (the health score's count). */
    static int agedAt(AccountState s, long at, Rules.UrgentTicketAging r) {
        int n = 0;
        for (int i = 0; i < s.urgentTicketIds.length; i++) {
            if (s.urgentTicketAged[i] || s.urgentTicketOpenedAt[i] + r.hours * HOUR_MS <= at) n++;
        }
        return n;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type != EventType.SUPPORT_TICKET) return;
        int i = Arrays.asList(s.urgentTicketIds).indexOf(e.ticketId);
        boolean urgent = e.priority == TicketPriority.URGENT;
        boolean ends = e.ticketStatus == TicketStatus.RESOLVED || e.ticketStatus == TicketStatus.CLOSED;
        if (i < 0) {
            if (urgent && !ends) track(s, e.ticketId, e.eventTime);
        } else if ((ends || !urgent) && e.eventTime >= s.urgentTicketOpenedAt[i]) {
            untrack(s, i, e, ends ? e.ticketStatus.name() : "PRIORITY_LOWERED", emit);
        }
    }

    @Override
    public long nextDeadline(AccountState s) {
        long next = NONE;
        for (int i = 0; i < s.urgentTicketIds.length; i++) {
            if (!s.urgentTicketAged[i]) next = SignalEngine.earliest(next, limit(s, i));
        }
        return next;
    }

    @Override
    public void onDeadline(AccountState s, long at, Emitter emit) {
        int oldest = -1;
        for (int i = 0; i < s.urgentTicketIds.length; i++) {
            if (!s.urgentTicketAged[i] && limit(s, i) <= at) {
                s.urgentTicketAged[i] = true;
                if (oldest < 0 || s.urgentTicketOpenedAt[i] < s.urgentTicketOpenedAt[oldest]) oldest = i;
            }
        }
        if (oldest >= 0) raise(s, oldest, at, emit);
    }

    private long limit(AccountState s, int i) {
        return s.urgentTicketOpenedAt[i] + r.hours * HOUR_MS;
    }

    private void raise(AccountState s, int i, long at, Emitter emit) {
        if (!r.enabled) return;
        Map<String, String> ev = Evidence.map();
        ev.put("ticketId", s.urgentTicketIds[i]);
        ev.put("openedAt", Evidence.iso(s.urgentTicketOpenedAt[i]));
        ev.put("hoursOpen", Long.toString((at - s.urgentTicketOpenedAt[i]) / HOUR_MS));
        ev.put("agedUrgentTickets", Integer.toString(agedAt(s, at, r)));
        ev.put("openUrgentTickets", Integer.toString(s.urgentTicketIds.length));
        emit.raise(Signal.URGENT_TICKET_AGING, r.severity, at, ev,
                "Urgent ticket " + s.urgentTicketIds[i] + " is still open " + r.hours + " hours after it was opened.");
    }

    private static void track(AccountState s, String ticketId, long at) {
        int n = s.urgentTicketIds.length;
        int slot;
        if (n < Rules.MAX_TRACKED_URGENT_TICKETS) {
            s.urgentTicketIds = Arrays.copyOf(s.urgentTicketIds, n + 1);
            s.urgentTicketOpenedAt = Arrays.copyOf(s.urgentTicketOpenedAt, n + 1);
            s.urgentTicketAged = Arrays.copyOf(s.urgentTicketAged, n + 1);
            slot = n;
        } else {
            slot = 0;
            for (int i = 1; i < n; i++) if (s.urgentTicketOpenedAt[i] > s.urgentTicketOpenedAt[slot]) slot = i;
            if (at >= s.urgentTicketOpenedAt[slot]) return; // newer than every tracked one: the oldest are kept
        }
        s.urgentTicketIds[slot] = ticketId;
        s.urgentTicketOpenedAt[slot] = at;
        s.urgentTicketAged[slot] = false;
    }

    private void untrack(AccountState s, int i, AccountEvent e, String how, Emitter emit) {
        long t = e.eventTime;
        if (!s.urgentTicketAged[i] && limit(s, i) < t) {
            // Its limit passed in event time before this event (ahead of the watermark): that came first.
            s.urgentTicketAged[i] = true;
            raise(s, i, limit(s, i), emit);
        }
        String ticketId = s.urgentTicketIds[i];
        remove(s, i);
        if (s.episode(Signal.URGENT_TICKET_AGING) == null) return;
        for (int j = 0; j < s.urgentTicketIds.length; j++) {
            if (s.urgentTicketAged[j] || limit(s, j) < t) return; // another one is still past its limit
        }
        Map<String, String> ev = Evidence.map();
        ev.put("ticketId", ticketId);
        ev.put("ticketStatus", how);
        ev.put("openUrgentTickets", Integer.toString(s.urgentTicketIds.length));
        emit.resolve(Signal.URGENT_TICKET_AGING, t, ev, how.equals("PRIORITY_LOWERED")
                ? "Ticket " + ticketId + " is no longer urgent; no urgent ticket is past its limit."
                : "Ticket " + ticketId + " was " + how.toLowerCase() + "; no urgent ticket is past its limit.");
    }

    private static void remove(AccountState s, int i) {
        int n = s.urgentTicketIds.length;
        String[] ids = new String[n - 1];
        long[] opened = new long[n - 1];
        boolean[] aged = new boolean[n - 1];
        for (int j = 0, k = 0; j < n; j++) {
            if (j == i) continue;
            ids[k] = s.urgentTicketIds[j];
            opened[k] = s.urgentTicketOpenedAt[j];
            aged[k] = s.urgentTicketAged[j];
            k++;
        }
        s.urgentTicketIds = ids;
        s.urgentTicketOpenedAt = opened;
        s.urgentTicketAged = aged;
    }
}
