package io.churnradar.signals.tickets;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.Episode;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
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
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * TICKET_SPIKE: raised at an OPENED ticket when its day and the 6 before hold 3 OPENED tickets;
 * resolved at the close of a day whose window holds fewer. Counts opened tickets into the day buckets
 * (for the health score too) whether or not the signal is on.
 */
public final class TicketSpikeSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.ticketSpike}; the day buckets keep its window. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.TICKET_SPIKE, "ticketSpike",
                    List.of("minOpened", "windowDays"), Settings.class, Settings::read)
            .evidence("openedInWindow", "window", "ticketId")
            .lookbackDays(t -> t.windowDays);

    /** TICKET_SPIKE: many tickets opened within a short window. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;
        public final boolean enabled;
        public final Severity severity;
        public final int minOpened;
        public final int windowDays;

        public Settings(boolean enabled, Severity severity, int minOpened, int windowDays) {
            this.enabled = enabled;
            this.severity = severity;
            this.minOpened = minOpened;
            this.windowDays = windowDays;
        }

        static Settings read(SettingsBlock b) {
            return new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.integer("minOpened", 3, 1, 10_000),
                    b.integer("windowDays", 7, 1, 90));
        }
    }

    private final Settings t;
    /** Days the buckets keep back from a day close (the longest look-back of any rule). */
    private final int lookbackDays;

    public TicketSpikeSignal(Rules rules) {
        this.t = rules.signal(SPEC);
        this.lookbackDays = rules.lookbackDays();
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.SUPPORT_TICKET || e.ticketStatus != TicketStatus.OPENED) return;
        long day = EventTime.dayOf(e.eventTime);
        if (!DayBuckets.addIfCovered(s, day, 0, 1, lookbackDays)) return;
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
    private void endSpikeBefore(AccountState s, long at, Alerting emit) {
        Episode open = s.episode(Signal.TICKET_SPIKE);
        if (open == null) return;
        for (long d = Math.max(s.lastClosedDay + 1, EventTime.dayOf(open.start)); EventTime.closeAt(d) < at; d++) {
            int opened = DayBuckets.ticketsOpened(s, d - t.windowDays + 1, d);
            if (opened < t.minOpened) {
                Map<String, String> ev = Evidence.map();
                ev.put("openedInWindow", Integer.toString(opened));
                ev.put("window", LocalDate.ofEpochDay(d - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(d));
                emit.resolve(Signal.TICKET_SPIKE, EventTime.closeAt(d), ev,
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
    public void onDayClose(AccountState s, long d, Alerting emit) {
        long closeAt = EventTime.closeAt(d);
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
