package io.churnradar.detect;

import io.churnradar.alerts.Severity;

/** An open episode of one signal for one account: raised at {@code start}, at {@code severity} now. */
public class Episode {
    public long start;
    public Severity severity;

    public Episode() {}

    public Episode(long start, Severity severity) {
        this.start = start;
        this.severity = severity;
    }
}
