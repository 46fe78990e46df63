package io.churnradar.detect;

/**
 * Open urgent tickets, at most {@code Rules.MAX_TRACKED_URGENT_TICKETS} (the oldest), as parallel
 * arrays (part of {@link AccountState}; a POJO); see {@link UrgentTicketAgingSignal}.
 */
public class UrgentTicketsState {
    public String[] ids = new String[0];
    /** When each became urgent and open (OPENED, REOPENED or raised to URGENT). */
    public long[] openedAt = new long[0];
    /** Whether each one's aging deadline has been processed. */
    public boolean[] aged = new boolean[0];

    public UrgentTicketsState() {}
}
