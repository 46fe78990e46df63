package io.churnradar.signals.card;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.CardState;
import io.churnradar.detect.Episode;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * CARD_EXPIRING: the card on file (the {@code cardExpiry} of the latest payment that shows one, in
 * event time) expires at the end of its month, UTC, within 30 days. Its deadline, end of month minus
 * 30 days, is always a midnight: the close of a day. Raised there, or at the payment that shows a card
 * already that close to expiry (or expired); resolved by a later payment showing a later expiry month.
 * Tracked whether or not the signal is on: the health score counts an expiring card.
 */
public final class CardExpiringSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.cardExpiring}. */
    public static final SignalSpec<Settings> SPEC = SignalSpec.of(Signal.CARD_EXPIRING, "cardExpiring", List.of("days"),
                    Settings.class, Settings::read)
            .evidence("cardExpiry", "expiresAt", "daysToExpiry", "expired", "previousCardExpiry");

    /** CARD_EXPIRING: the card on file expires (end of its month, UTC) within this many days. */
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
            return new Settings(b.enabled(), b.severity(Severity.MEDIUM), b.integer("days", 30, 0, 365));
        }
    }

    private final Settings r;

    public CardExpiringSignal(Rules rules) {
        this.r = rules.signal(SPEC);
    }

    /** YYYY-MM as months since year 0. */
    public static long month(String yyyyMm) {
        return Integer.parseInt(yyyyMm.substring(0, 4)) * 12L + Integer.parseInt(yyyyMm.substring(5, 7)) - 1;
    }

    static String format(long month) {
        return String.format("%04d-%02d", month / 12, month % 12 + 1);
    }

    /** The end of the month: the first instant of the next month, UTC. */
    static long expiresAt(long month) {
        return LocalDate.of((int) (month / 12), (int) (month % 12) + 1, 1).plusMonths(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** Whether the card on file expires within the horizon of {@code at} (or has expired). */
    public static boolean expiringAt(AccountState s, long at, Settings r) {
        return s.card != null && s.card.expiryMonth != NONE && at >= expiresAt(s.card.expiryMonth) - r.days * EventTime.DAY_MS;
    }

    private long deadline(CardState c) {
        return expiresAt(c.expiryMonth) - r.days * EventTime.DAY_MS;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.PAYMENT || e.cardExpiry == null) return;
        long t = e.eventTime;
        CardState c = s.card();
        if (c.seenAt != NONE && t < c.seenAt) return; // an older payment: not the card on file
        c.seenAt = t;
        long m = month(e.cardExpiry);
        if (c.expiryMonth == NONE) {
            c.expiryMonth = m;
            c.expiringNoted = false;
        } else if (m > c.expiryMonth) {
            if (!c.expiringNoted && deadline(c) < t) {
                // The old card's deadline passed in event time before this payment (ahead of the watermark).
                onDeadline(s, deadline(c), emit);
            }
            long old = c.expiryMonth;
            c.expiryMonth = m;
            Episode open = s.episode(Signal.CARD_EXPIRING);
            if (open != null && open.start >= t && deadline(c) <= t) {
                // Raised at this very instant (another payment of the same instant showed the older card), and the new
                // card is as close to expiry: resolving it and raising the new card's episode at the same instant would
                // give both one alertId (an episode is named by its signal and its start), and their playbooks' commands
                // one commandId. The episode stays open, for the new card.
                c.expiringNoted = true;
                return;
            }
            c.expiringNoted = false;
            Map<String, String> ev = Evidence.map();
            ev.put("cardExpiry", e.cardExpiry);
            ev.put("previousCardExpiry", format(old));
            emit.resolve(Signal.CARD_EXPIRING, t, ev, "A new card on file expires " + e.cardExpiry + ".");
        } else if (m < c.expiryMonth) {
            c.expiryMonth = m; // a card expiring sooner: if the old one was already near, this one is too
        } else {
            return;
        }
        if (!c.expiringNoted && deadline(c) <= t) {
            onDeadline(s, t, emit); // the payment itself shows a card that close to expiry
        }
    }

    @Override
    public long nextDeadline(AccountState s) {
        CardState c = s.card;
        return c == null || c.expiryMonth == NONE || c.expiringNoted ? NONE : deadline(c);
    }

    @Override
    public void onDeadline(AccountState s, long at, Alerting emit) {
        CardState c = s.card;
        c.expiringNoted = true;
        if (!r.enabled) return;
        long expires = expiresAt(c.expiryMonth);
        long days = Math.floorDiv(expires - at, EventTime.DAY_MS);
        Map<String, String> ev = Evidence.map();
        ev.put("cardExpiry", format(c.expiryMonth));
        ev.put("expiresAt", Evidence.iso(expires));
        ev.put("daysToExpiry", Long.toString(days));
        if (expires <= at) ev.put("expired", "true");
        emit.raise(Signal.CARD_EXPIRING, r.severity, at, ev, expires <= at
                ? "The card on file expired at the end of " + format(c.expiryMonth) + "."
                : "The card on file expires at the end of " + format(c.expiryMonth) + ", in " + days + " days.");
    }
}
