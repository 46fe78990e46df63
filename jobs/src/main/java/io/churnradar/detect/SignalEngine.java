package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The detection rules of every signal, free of Flink: it moves an {@link AccountState} forward on an
 * event or on the passing of event time, and emits the alerts that follow. {@link ChurnDetector}
 * runs it in the streaming job and in the backtest alike.
 *
 * <p>Time: a UTC day D closes when the watermark reaches D+1 00:00Z. An alert caused by an event is
 * dated at the event time, but never before the watermark (a late event's alert says {@code late}).
 */
public final class SignalEngine implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final long DAY_MS = 86_400_000L;
    /** Tolerance of the drop-ratio comparison, so that a drop of exactly 30% counts as 30%. */
    private static final double EPSILON = 1e-9;

    private final Rules rules;

    public SignalEngine(Rules rules) {
        this.rules = rules;
    }

    public Rules rules() {
        return rules;
    }

    public static long dayOf(long epochMillis) {
        return Math.floorDiv(epochMillis, DAY_MS);
    }

    /** The last day whose close is due at this watermark. */
    static long lastDueDay(long watermark) {
        return Math.floorDiv(watermark, DAY_MS) - 1;
    }

    /** Applies one (de-duplicated) event. */
    public void onEvent(String accountId, AccountState s, AccountEvent e, long watermark, DetectionOutput out) {
        boolean late = watermark != NONE && e.eventTime <= watermark;
        Emitter emit = new Emitter(accountId, s, watermark, late, out);
        long day = dayOf(e.eventTime);
        if (s.firstEventDay == NONE) {
            s.firstEventDay = day;
            s.lastClosedDay = watermark == NONE ? day - 1 : Math.max(day - 1, lastDueDay(watermark));
        } else {
            s.firstEventDay = Math.min(s.firstEventDay, day);
            // The account's first event skipped the days before it; an older event that is not due yet
            // (read from another partition behind that first one) re-opens them. Only days up to the
            // watermark were ever closed, so no day is closed twice.
            long reopenFrom = watermark == NONE ? day - 1 : Math.max(day - 1, lastDueDay(watermark));
            s.lastClosedDay = Math.min(s.lastClosedDay, reopenFrom);
            advance(s, watermark, emit);
        }
        switch (e.type) {
            case LOGIN -> onLogin(s, e, emit);
            case USAGE -> addToBuckets(s, day, e.quantity, 0);
            case SUPPORT_TICKET -> onTicket(s, e, day, emit);
            case PAYMENT -> onPayment(s, e, emit);
        }
        advance(s, watermark, emit);
    }

    /** Lets event time pass up to the watermark: closes due days and fires due deadlines. */
    public void onTime(String accountId, AccountState s, long watermark, DetectionOutput out) {
        advance(s, watermark, new Emitter(accountId, s, NONE, false, out));
    }

    /** When the account next needs event time to pass, or NONE: its one timer. */
    public long nextWakeup(AccountState s) {
        long next = NONE;
        if (s.lastClosedDay != NONE && needsDayClose(s)) {
            next = (s.lastClosedDay + 2) * DAY_MS;
        }
        long deadline = inactivityDeadline(s);
        if (deadline != NONE && (next == NONE || deadline < next)) {
            next = deadline;
        }
        return next;
    }

    private void advance(AccountState s, long watermark, Emitter emit) {
        if (watermark == NONE) return;
        long target = lastDueDay(watermark);
        while (s.lastClosedDay < target) {
            if (!needsDayClose(s)) {
                s.lastClosedDay = target; // nothing can change on a quiet day: skip ahead
                break;
            }
            long d = s.lastClosedDay + 1;
            closeDay(s, d, emit);
            s.lastClosedDay = d;
            DayBuckets.dropBefore(s, d + 2 - rules.lookbackDays());
        }
        long deadline = inactivityDeadline(s);
        if (deadline != NONE && deadline <= watermark) {
            raiseInactivity(s, deadline, emit);
        }
    }

    private void raiseInactivity(AccountState s, long deadline, Emitter emit) {
        Map<String, String> ev = evidence();
        ev.put("lastLoginAt", iso(s.lastLoginAt));
        ev.put("daysWithoutLogin", Integer.toString(rules.inactivity.days));
        emit.raise(Signal.INACTIVITY, rules.inactivity.severity, deadline, ev,
                "No login for " + rules.inactivity.days + " days (last login " + iso(s.lastLoginAt) + ").");
    }

    private boolean needsDayClose(AccountState s) {
        return !DayBuckets.isEmpty(s) || s.episode(Signal.TICKET_SPIKE) != null;
    }

    private long inactivityDeadline(AccountState s) {
        if (!rules.inactivity.enabled || s.lastLoginAt == NONE || s.episode(Signal.INACTIVITY) != null) {
            return NONE;
        }
        return s.lastLoginAt + rules.inactivity.days * DAY_MS;
    }

    private void closeDay(AccountState s, long d, Emitter emit) {
        long closeAt = (d + 1) * DAY_MS;
        Rules.UsageDrop u = rules.usageDrop;
        int n = u.windowDays;
        if (u.enabled && s.firstEventDay <= d - (2L * n - 1)) {
            double cur = DayBuckets.usage(s, d - n + 1, d);
            double prev = DayBuckets.usage(s, d - 2L * n + 1, d - n);
            if (prev >= u.minBaseline) {
                boolean dropped = cur <= prev * (1 - u.dropRatio) + EPSILON * Math.max(1, prev);
                Map<String, String> ev = evidence();
                ev.put("cur", num(cur));
                ev.put("prev", num(prev));
                ev.put("dropPercent", num(Math.round((1 - cur / prev) * 1000) / 10.0));
                ev.put("curWindow", LocalDate.ofEpochDay(d - n + 1) + ".." + LocalDate.ofEpochDay(d));
                ev.put("prevWindow", LocalDate.ofEpochDay(d - 2L * n + 1) + ".." + LocalDate.ofEpochDay(d - n));
                if (dropped) {
                    emit.raise(Signal.USAGE_DROP, u.severity, closeAt, ev, String.format(
                            "Usage fell %s%% over the last %d days (%s against %s the %d days before).",
                            ev.get("dropPercent"), n, num(cur), num(prev), n));
                } else {
                    emit.resolve(Signal.USAGE_DROP, closeAt, ev, "Usage recovered to " + num(cur) + " against " + num(prev) + ".");
                }
            }
        }
        Rules.TicketSpike t = rules.ticketSpike;
        Episode spike = s.episode(Signal.TICKET_SPIKE);
        // Only a close after the episode began can end it: a spike raised by a ticket ahead of the
        // watermark must not be resolved by the close of a day before that ticket's.
        if (spike != null && closeAt > spike.start) {
            int opened = DayBuckets.ticketsOpened(s, d - t.windowDays + 1, d);
            if (opened < t.minOpened) {
                Map<String, String> ev = evidence();
                ev.put("openedInWindow", Integer.toString(opened));
                ev.put("window", LocalDate.ofEpochDay(d - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(d));
                emit.resolve(Signal.TICKET_SPIKE, closeAt, ev, opened + " ticket(s) opened in the last " + t.windowDays + " days.");
            }
        }
    }

    private void onLogin(AccountState s, AccountEvent e, Emitter emit) {
        if (s.lastLoginAt != NONE && e.eventTime <= s.lastLoginAt) return;
        long deadline = inactivityDeadline(s);
        if (deadline != NONE && deadline < e.eventTime) {
            // A login ahead of the watermark, after a gap longer than the limit: the deadline passed in
            // event time before it, so the episode happened; its timer would otherwise be moved past it.
            raiseInactivity(s, deadline, emit);
        }
        s.lastLoginAt = e.eventTime;
        Map<String, String> ev = evidence();
        ev.put("loginAt", iso(e.eventTime));
        emit.resolve(Signal.INACTIVITY, e.eventTime, ev, "The account logged in again.");
    }

    private void onTicket(AccountState s, AccountEvent e, long day, Emitter emit) {
        if (e.ticketStatus != TicketStatus.OPENED) return;
        if (!addToBuckets(s, day, 0, 1)) return;
        Rules.TicketSpike t = rules.ticketSpike;
        if (!t.enabled) return;
        endSpikeBefore(s, e.eventTime, emit);
        int opened = DayBuckets.ticketsOpened(s, day - t.windowDays + 1, day);
        if (opened >= t.minOpened) {
            Map<String, String> ev = evidence();
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
        for (long d = Math.max(s.lastClosedDay + 1, dayOf(open.start)); (d + 1) * DAY_MS < at; d++) {
            int opened = DayBuckets.ticketsOpened(s, d - t.windowDays + 1, d);
            if (opened < t.minOpened) {
                Map<String, String> ev = evidence();
                ev.put("openedInWindow", Integer.toString(opened));
                ev.put("window", LocalDate.ofEpochDay(d - t.windowDays + 1) + ".." + LocalDate.ofEpochDay(d));
                emit.resolve(Signal.TICKET_SPIKE, (d + 1) * DAY_MS, ev,
                        opened + " ticket(s) opened in the last " + t.windowDays + " days.");
                return;
            }
        }
    }

    private void onPayment(AccountState s, AccountEvent e, Emitter emit) {
        Rules.PaymentFailed p = rules.paymentFailed;
        if (e.paymentStatus == PaymentStatus.FAILED) {
            if (s.lastPaymentSuccessAt != NONE && e.eventTime <= s.lastPaymentSuccessAt) return; // settled since
            s.failureStreak++;
            s.lastPaymentFailureAt = Math.max(s.lastPaymentFailureAt, e.eventTime);
            if (!p.enabled) return;
            Map<String, String> ev = evidence();
            ev.put("consecutiveFailures", Integer.toString(s.failureStreak));
            ev.put("invoiceId", String.valueOf(e.invoiceId));
            ev.put("amountMinor", Long.toString(e.amountMinor));
            ev.put("currency", String.valueOf(e.currency));
            if (e.failureCode != null) ev.put("failureCode", e.failureCode);
            boolean exhausted = s.failureStreak >= p.criticalAfterFailures;
            Severity severity = exhausted ? Severity.CRITICAL : p.severity;
            String why = exhausted
                    ? s.failureStreak + " payments failed in a row: dunning exhausted."
                    : "A payment failed (" + (e.failureCode == null ? "no code" : e.failureCode) + ").";
            // Dated at the newest failure: an older failure arriving out of order must not date an
            // escalation before the failure that raised the episode.
            emit.raiseOrEscalate(Signal.PAYMENT_FAILED, severity, s.lastPaymentFailureAt, ev, why);
        } else if (e.paymentStatus == PaymentStatus.SUCCEEDED) {
            if (s.lastPaymentSuccessAt != NONE && e.eventTime <= s.lastPaymentSuccessAt) return;
            s.lastPaymentSuccessAt = e.eventTime;
            if (s.lastPaymentFailureAt != NONE && e.eventTime < s.lastPaymentFailureAt) {
                s.failureStreak = 1; // a late success older than the newest failure: that failure still stands
                return;
            }
            s.failureStreak = 0;
            Map<String, String> ev = evidence();
            ev.put("invoiceId", String.valueOf(e.invoiceId));
            emit.resolve(Signal.PAYMENT_FAILED, e.eventTime, ev, "A payment succeeded.");
        }
        // REFUNDED neither breaks nor extends a failure streak.
    }

    /** @return false when the day is older than any future day close looks at */
    private boolean addToBuckets(AccountState s, long day, double usage, int tickets) {
        if (s.lastClosedDay != NONE && day < s.lastClosedDay + 2 - rules.lookbackDays()) return false;
        DayBuckets.add(s, day, usage, tickets);
        return true;
    }

    private static Map<String, String> evidence() {
        return new LinkedHashMap<>();
    }

    static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Opens, escalates and closes episodes, dating each alert no earlier than the floor. */
    private final class Emitter {
        private final String accountId;
        private final AccountState s;
        private final long floor;
        private final boolean late;
        private final DetectionOutput out;

        Emitter(String accountId, AccountState s, long floor, boolean late, DetectionOutput out) {
            this.accountId = accountId;
            this.s = s;
            this.floor = floor;
            this.late = late;
            this.out = out;
        }

        void raise(Signal signal, Severity severity, long at, Map<String, String> ev, String why) {
            if (s.episode(signal) != null) return;
            long when = dated(at, ev);
            s.setEpisode(signal, new Episode(when, severity));
            out.accept(Alerts.build(accountId, signal, severity, AlertStatus.RAISED, when, when, ev, why, rules.version));
        }

        void raiseOrEscalate(Signal signal, Severity severity, long at, Map<String, String> ev, String why) {
            Episode open = s.episode(signal);
            if (open == null) {
                raise(signal, severity, at, ev, why);
            } else if (open.severity != severity && severity.ordinal() > open.severity.ordinal()) {
                long when = dated(at, ev);
                open.severity = severity;
                out.accept(Alerts.build(accountId, signal, severity, AlertStatus.UPDATED, when, open.start, ev, why, rules.version));
            }
        }

        void resolve(Signal signal, long at, Map<String, String> ev, String why) {
            Episode open = s.episode(signal);
            if (open == null) return;
            long when = dated(at, ev);
            s.setEpisode(signal, null);
            out.accept(Alerts.build(accountId, signal, open.severity, AlertStatus.RESOLVED, when, open.start, ev, why, rules.version));
        }

        private long dated(long at, Map<String, String> ev) {
            if (floor != NONE && at <= floor) {
                if (late || at < floor) ev.put("late", "true");
                return Math.max(at, floor);
            }
            return at;
        }
    }
}
