package io.churnradar.ingest.formats;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventValidator;
import io.churnradar.ingest.InvalidEventException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one payload maps to: events (an event whose account is not in the payload has a null
 * {@code accountId} and takes the account its {@code userId} is linked to), a user-to-account link it
 * teaches, or nothing, with the reason it carries no churn signal.
 */
public final class Mapped {
    public final List<AccountEvent> events;
    public final String linkUser;
    public final String linkAccount;
    public final String skipped;
    /** When the link was made: orders a link-only payload among the events of other inputs. */
    public final long linkTime;

    private Mapped(List<AccountEvent> events, String linkUser, String linkAccount, String skipped, long linkTime) {
        this.events = events;
        this.linkUser = linkUser;
        this.linkAccount = linkAccount;
        this.skipped = skipped;
        this.linkTime = linkTime;
    }

    /** Nothing but what {@link #withLink} adds. */
    public static Mapped of() {
        return new Mapped(List.of(), null, null, null, Long.MIN_VALUE);
    }

    public static Mapped of(AccountEvent... events) {
        return new Mapped(List.of(events), null, null, null, Long.MIN_VALUE);
    }

    public static Mapped of(List<AccountEvent> events) {
        return new Mapped(List.copyOf(events), null, null, null, Long.MIN_VALUE);
    }

    public static Mapped skipped(String reason) {
        return new Mapped(List.of(), null, null, reason, Long.MIN_VALUE);
    }

    /** The same events, and the link of {@code user} to {@code account} made at {@code time} (ignored when either is null). */
    public Mapped withLink(String user, String account, long time) {
        if (user == null || account == null) return this;
        return new Mapped(events, user, account, skipped, time);
    }

    /** The earliest time of the payload: of its first event, or of its link. */
    public long time() {
        long t = events.isEmpty() ? linkTime : Long.MAX_VALUE;
        for (AccountEvent e : events) t = Math.min(t, e.eventTime);
        return t;
    }

    public boolean hasLink() {
        return linkUser != null;
    }

    /** Whether some event waits for the account of its user. */
    public boolean needsUserLink() {
        for (AccountEvent e : events) {
            if (e.accountId == null) return true;
        }
        return false;
    }

    /** The user whose link this payload teaches or needs, or null. */
    public String user() {
        if (linkUser != null) return linkUser;
        for (AccountEvent e : events) {
            if (e.accountId == null) return e.userId;
        }
        return null;
    }

    /**
     * Learns this payload's link, gives each event without an account the account its user is linked
     * to, and validates every event: the events to detect on, or the reason none of them may be.
     */
    public List<AccountEvent> resolve(UserLinks links) throws InvalidEventException {
        if (hasLink()) links.link(linkUser, linkAccount);
        List<AccountEvent> out = new ArrayList<>(events.size());
        for (AccountEvent e : events) {
            if (e.accountId == null) {
                String account = e.userId == null ? null : links.accountOf(e.userId);
                if (account == null) {
                    throw new InvalidEventException(e.userId == null
                            ? "no account: the payload names no account and no user"
                            : "no account: the payload names none, and user " + e.userId
                                    + " has not been linked to an account (by a group call) before it");
                }
                e.accountId = account;
            }
            out.add(EventValidator.check(e));
        }
        return out;
    }
}
