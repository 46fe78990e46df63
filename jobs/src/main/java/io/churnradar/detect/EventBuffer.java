package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.detect.storage.EventCodec;
import io.churnradar.ingest.AccountEvent;
import java.util.Arrays;

/**
 * The events of one account that arrived ahead of event time, held in {@link AccountState#buffered}
 * until the watermark passes them, in the order they are applied: by event time, ties by the 64-bit
 * hash of the event id ({@link SeenEventIds#hash}), never by arrival. Two runs that read the same events
 * in different orders (partitions at different paces, a restore) therefore apply them in one order, and
 * every output follows from that order alone.
 *
 * <p>Kept in the account's one value rather than a state of its own: an event costs the same one read and
 * one write as before, and once the buffer is released the array is empty again (nothing stored for it).
 */
public final class EventBuffer {
    /**
     * The buffer once released: shared, as nothing can be stored into an empty array. Most events wait
     * alone (one account's events are minutes to hours apart, the bound ten minutes), so the common cases,
     * one event in and that one out, allocate one array of one and nothing.
     */
    private static final AccountEvent[] EMPTY = new AccountEvent[0];

    private EventBuffer() {}

    /** The number of events held. */
    public static int size(AccountState s) {
        return s.buffered == null ? 0 : s.buffered.length;
    }

    /** Holds an event in its place: after every event that sorts before it. */
    static void add(AccountState s, AccountEvent e) {
        AccountEvent[] b = s.buffered;
        if (b == null || b.length == 0) {
            s.buffered = new AccountEvent[] {e};
            return;
        }
        int i = b.length;
        while (i > 0 && compare(b[i - 1], e) > 0) i--;
        AccountEvent[] next = new AccountEvent[b.length + 1];
        System.arraycopy(b, 0, next, 0, i);
        next[i] = e;
        System.arraycopy(b, i, next, i + 1, b.length - i);
        s.buffered = next;
    }

    /**
     * A copy of an event held (the same id) that arrives after it: whichever of the two {@link #compare} puts first is
     * the one kept, so that the copy applied (and counted) does not depend on which came first, as long as both come
     * before the watermark passes them. The other stays a duplicate.
     *
     * @return whether {@code e} took the held copy's place
     */
    static boolean replaceCopy(AccountState s, AccountEvent e) {
        AccountEvent[] b = s.buffered;
        if (b == null || e.eventId == null) return false;
        for (int i = 0; i < b.length; i++) {
            if (e.eventId.equals(b[i].eventId)) {
                if (compare(e, b[i]) >= 0) return false;
                AccountEvent[] rest = new AccountEvent[b.length - 1];
                System.arraycopy(b, 0, rest, 0, i);
                System.arraycopy(b, i + 1, rest, i, b.length - i - 1);
                s.buffered = rest;
                add(s, e);
                return true;
            }
        }
        return false;
    }

    /** The event time of the first event held, or NONE. */
    static long earliestTime(AccountState s) {
        return size(s) == 0 ? NONE : s.buffered[0].eventTime;
    }

    /** Takes the first event out. */
    static AccountEvent poll(AccountState s) {
        AccountEvent first = s.buffered[0];
        s.buffered = s.buffered.length == 1 ? EMPTY : Arrays.copyOfRange(s.buffered, 1, s.buffered.length);
        return first;
    }

    /**
     * The order events are applied in: event time, then the id's hash, then the id (a hash collision), then, for two
     * differing copies of one id at one time, {@link EventCodec#compareCopies}: the copy applied first is the one
     * counted, whichever came first.
     */
    public static int compare(AccountEvent a, AccountEvent b) {
        int c = Long.compare(a.eventTime, b.eventTime);
        if (c != 0) return c;
        c = Long.compare(idHash(a), idHash(b));
        if (c != 0) return c;
        c = a.eventId == null ? (b.eventId == null ? 0 : -1) : b.eventId == null ? 1 : a.eventId.compareTo(b.eventId);
        return c != 0 ? c : EventCodec.compareCopies(a, b);
    }

    private static long idHash(AccountEvent e) {
        return e.eventId == null ? 0 : SeenEventIds.hash(e.eventId);
    }
}
