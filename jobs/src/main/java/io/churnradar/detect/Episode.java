package io.churnradar.detect;

import io.churnradar.alerts.Severity;

/** An open episode of one signal for one account: raised at {@code start}, at {@code severity} now. */
public class Episode {
    public long start;
    public Severity severity;
    /**
     * How many episodes of this signal started and ended at {@code start} before this one (events of one instant can
     * raise, resolve and raise one signal again): 0 for nearly every episode. An episode is named by its account, signal,
     * start and this ({@link Alerts#alertId}), so the second episode of an instant gets ids of its own.
     */
    public int repeat;

    public Episode() {}

    public Episode(long start, Severity severity) {
        this.start = start;
        this.severity = severity;
    }
}
