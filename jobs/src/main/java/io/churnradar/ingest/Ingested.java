package io.churnradar.ingest;

import io.churnradar.alerts.DeadLetter;

/**
 * What the input stage yields for one record: an event, or a dead letter saying why not. A record
 * whose account comes from a user-to-account link (Segment) is pending: {@code pendingUser} names the
 * user, the link it teaches rides along, and {@code deadLetter} is what it becomes when no account is
 * found; {@link UserLinkResolver} settles it.
 */
public class Ingested {
    public AccountEvent event;
    public DeadLetter deadLetter;
    public String pendingUser;
    public String linkUser;
    public String linkAccount;

    public Ingested() {}

    public static Ingested event(AccountEvent e) {
        Ingested i = new Ingested();
        i.event = e;
        return i;
    }

    public static Ingested deadLetter(DeadLetter d) {
        Ingested i = new Ingested();
        i.deadLetter = d;
        return i;
    }

    public static Ingested pending(String user, AccountEvent e, String linkUser, String linkAccount, DeadLetter ifUnresolved) {
        Ingested i = new Ingested();
        i.pendingUser = user;
        i.event = e;
        i.linkUser = linkUser;
        i.linkAccount = linkAccount;
        i.deadLetter = ifUnresolved;
        return i;
    }
}
