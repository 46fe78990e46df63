package io.churnradar.ingest;

import io.churnradar.alerts.DeadLetter;

/** What the input stage yields for one record: an event, or a dead letter saying why not. */
public class Ingested {
    public AccountEvent event;
    public DeadLetter deadLetter;

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
}
