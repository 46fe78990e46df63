package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The accounts of a detection subtask that hold events ahead of the watermark, by the event time of the earliest
 * one: the detector's operator releases them when the watermark passes that time, before the timers it makes due
 * fire. A Flink timer per held event did the same at a higher price: an on-time event moved its account's one
 * timer twice (to the event on arrival, back to the next day close once applied), and on RocksDB each move is a
 * delete and a write there; the profile of the streaming pipeline put 29% of the detection thread in moving
 * timers. The account's timer now only follows its day closes and deadlines.
 *
 * <p>Checkpointed with the detector (its snapshotState, after the accounts are written): every subtask's entries in
 * one union list, each subtask keeping those of its own key groups on restore, so a rescale loses none. A
 * checkpoint of a version without it holds a timer per held event instead, which still releases them.
 * Written by hand: Flink's timer services key every timer, with no cheaper index of keys by time.
 */
final class HeldAccounts {
    /** An account and the event time of its earliest held event; a POJO, as checkpointed. */
    public static final class Entry {
        public String accountId;
        public long releaseAt;

        public Entry() {}

        Entry(String accountId, long releaseAt) {
            this.accountId = accountId;
            this.releaseAt = releaseAt;
        }
    }

    private static final Comparator<Entry> ORDER = Comparator.<Entry>comparingLong(e -> e.releaseAt).thenComparing(e -> e.accountId);

    private final TreeSet<Entry> byTime = new TreeSet<>(ORDER);
    private final Map<String, Entry> byAccount = new HashMap<>();

    /** The account's earliest held event is now at {@code releaseAt}; NONE: it holds none. */
    void update(String accountId, long releaseAt) {
        Entry old = byAccount.get(accountId);
        if (old != null) {
            if (old.releaseAt == releaseAt) return;
            byTime.remove(old);
            byAccount.remove(accountId);
        }
        if (releaseAt == NONE) return;
        Entry e = new Entry(accountId, releaseAt);
        byTime.add(e);
        byAccount.put(accountId, e);
    }

    /** Takes out the account whose earliest held event is the earliest at or behind {@code watermark}, or null. */
    Entry pollDue(long watermark) {
        if (byTime.isEmpty() || byTime.first().releaseAt > watermark) return null;
        Entry e = byTime.pollFirst();
        byAccount.remove(e.accountId);
        return e;
    }

    int size() {
        return byAccount.size();
    }

    /** Every entry, for the checkpoint. */
    List<Entry> snapshot() {
        return new ArrayList<>(byTime);
    }

    /** The entries of a checkpoint whose accounts this subtask keeps. */
    void restore(Iterable<Entry> entries, Predicate<String> ownAccount) {
        for (Entry e : entries) if (ownAccount.test(e.accountId)) update(e.accountId, e.releaseAt);
    }
}
