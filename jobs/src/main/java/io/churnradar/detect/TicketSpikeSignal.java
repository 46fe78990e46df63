package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Signal;
import java.time.LocalDate;
import java.util.Map;

/**
 * TICKET_SPIKE: raised at an OPENED ticket when its day and the 6 before hold 3 OPENED tickets;
 * resolved at the close of a day whose window holds fewer. Counts opened tickets into the day buckets
 * (for the health score too) whether or not the signal is on.
 */
final class TicketSpikeSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    private final Rules rules;

    TicketSpikeSignal(Rules rules) {
        this.rules = rules;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Emitter emit) {
        if (e.type != EventType.SUPPORT_TICKET || e.ticketStatus != TicketStatus.OPENED) return;
        long day = SignalEngine.dayOf(e.eventTime);
        if (!DayBuckets.addIfCovered(s, day, 0, 1, rules.lookbackDays())) return;
        Rules.TicketSpike t = rules.ticketSpike;
        if (!t.enabled) return;
        endSpikeBefore(s, e.eventTime, emit);
        int opened = DayBuckets.ticketsOpened(s, day - t.windowDays + 1, day);
        if (opened >= t.minOpened) {
            Map<String, String> ev = Evidence.map();
            ev.put("openedInWindow", Integer.toString(opened));
            ev.put("window", LocalDate.ofEpochDay(day - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(day));
            ev.put("ticketId", String.valueOf(e.ticketId));
            emit.raise(Signal.TICKET_SPIKE, t.severity, e.eventTime, ev,
                    opened + " support tickets opened within " + t.windowDays + " days.");
        }
    }

    /**
     * A ticket read ahead of the watermark: the day closes between the open spike's start and this
     * ticket have not happened yet, but one of them ends the spike (as its close will, later) before
     * this ticket can start a new one. Ends it now, dated at that close.
     */
    private void endSpikeBefore(AccountState s, long at, Emitter emit) {
        Episode open = s.episode(Signal.TICKET_SPIKE);
        if (open == null) return;
        Rules.TicketSpike t = rules.ticketSpike;
        for (long d = Math.max(s.lastClosedDay + 1, SignalEngine.dayOf(open.start)); SignalEngine.closeAt(d) < at; d++) {
            int opened = DayBuckets.ticketsOpened(s, d - t.windowDays + 1, d);
            if (opened < t.minOpened) {
                Map<String, String> ev = Evidence.map();
                ev.put("openedInWindow", Integer.toString(opened));
                ev.put("window", LocalDate.ofEpochDay(d - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(d));
                emit.resolve(Signal.TICKET_SPIKE, SignalEngine.closeAt(d), ev,
                        opened + " ticket(s) opened in the last " + t.windowDays + " days.");
                return;
            }
        }
    }

    @Override
    public long firstDayNeedingClose(AccountState s, long fromDay) {
        return s.episode(Signal.TICKET_SPIKE) != null ? fromDay : NONE;
    }

    @Override
    public void onDayClose(AccountState s, long d, Emitter emit) {
        long closeAt = SignalEngine.closeAt(d);
        Rules.TicketSpike t = rules.ticketSpike;
        Episode spike = s.episode(Signal.TICKET_SPIKE);
        // Only a close after the episode began can end it: a spike raised by a ticket ahead of the
        // watermark must not be resolved by the close of a day before that ticket's.
        if (spike != null && closeAt > spike.start) {
            int opened = DayBuckets.ticketsOpened(s, d - t.windowDays + 1, d);
            if (opened < t.minOpened) {
                Map<String, String> ev = Evidence.map();
                ev.put("openedInWindow", Integer.toString(opened));
                ev.put("window", LocalDate.ofEpochDay(d - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(d));
                emit.resolve(Signal.TICKET_SPIKE, closeAt, ev, opened + " ticket(s) opened in the last " + t.windowDays + " days.");
            }
        }
    }
}
