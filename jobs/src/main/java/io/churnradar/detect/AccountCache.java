package io.churnradar.detect;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The accounts that hold events ahead of the watermark, kept as objects until the watermark releases them and
 * written to their keyed state then (or when they leave the cache, or before a checkpoint). On RocksDB every read
 * of an account deserializes all of it and every write serializes it again, and an on-time event costs two of
 * each a few records apart: once on arrival (held in the account's buffer) and once when the watermark passes it
 * (applied). With the account still here at the second, an event costs one read and one write. Any other change
 * (a day close, a deadline, a late event) is written at once: an account kept longer would outlive the young
 * generation for nothing, as measured (100,000 accounts, most of the work day closes: a cache of every account
 * touched was 8% slower than none). On the heap backend (capacity 0) every write goes straight to the state,
 * which already holds the objects.
 *
 * <p>Correct because the detector is the only writer of the account state and every read and write of it
 * goes through here, and because {@link #flush} runs before each checkpoint (the detector's snapshotState,
 * before the keyed backend's snapshot) and before anything that reads the state by itself (a rules change's
 * pass over every account). What is lost on a failure is what the checkpoint restores anyway.
 *
 * <p>Written by hand: Flink's keyed state backends keep no object cache in front of RocksDB.
 */
final class AccountCache {
    /**
     * Accounts with held events kept on RocksDB, per subtask: at most about 16 to 48 MB of objects (1 to 3 KB an
     * account). In a steady stream they are the accounts with an event within the out-of-orderness bound, far fewer;
     * a backlog read at full speed can hold more, and the ones beyond it are written as they leave.
     */
    static final int DEFAULT_CAPACITY = 16_384;

    /** A full cache writes a 64th of itself at once. */
    private static final int EVICTION_BATCHES = 64;

    private final ValueState<AccountState> state;
    private final KeyContext keys;
    private final int capacity;
    /** Accounts changed since their last write to the state, the least recently stored first. */
    private final LinkedHashMap<String, AccountState> unwritten = new LinkedHashMap<>();
    private long writtenOnLeaving;

    /**
     * @param state the account state, read and written under the operator's current key
     * @param keys the operator's current key, which the cache sets to write an account and sets back (null only with capacity 0)
     * @param capacity accounts kept unwritten at most; 0 writes through
     */
    AccountCache(ValueState<AccountState> state, KeyContext keys, int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("capacity must be at least 0, got " + capacity);
        if (capacity > 0 && keys == null) throw new IllegalArgumentException("a cache that holds accounts needs the operator's key context");
        this.state = state;
        this.keys = keys;
        this.capacity = capacity;
    }

    /** A write-through cache: every store goes to the state at once. */
    static AccountCache writeThrough(ValueState<AccountState> state) {
        return new AccountCache(state, null, 0);
    }

    /** The account of the current key {@code key}: the object stored last, or the state's. */
    AccountState get(String key) throws IOException {
        if (unwritten.isEmpty()) return state.value(); // always so on the heap: no hash of a key just deserialized
        AccountState s = unwritten.get(key);
        return s != null ? s : state.value();
    }

    /**
     * Stores the account of the current key {@code key}: kept while it holds events ahead of the watermark
     * ({@code holding}), else written at once; the least recently stored ones are written if the cache is full.
     */
    void put(String key, AccountState s, boolean holding) throws IOException {
        if (capacity == 0 || !holding) {
            if (capacity > 0) unwritten.remove(key);
            state.update(s);
            return;
        }
        unwritten.remove(key); // stored again: the most recent one
        unwritten.put(key, s);
        if (unwritten.size() > capacity) writeEldest(Math.max(1, capacity / EVICTION_BATCHES));
    }

    /** Writes every account held to the state; the cache is empty after it. */
    void flush() throws IOException {
        if (unwritten.isEmpty()) return;
        Object current = keys.getCurrentKey();
        try {
            for (Map.Entry<String, AccountState> e : unwritten.entrySet()) {
                keys.setCurrentKey(e.getKey());
                state.update(e.getValue());
            }
            unwritten.clear();
        } finally {
            if (current != null) keys.setCurrentKey(current);
        }
    }

    /** Accounts held unwritten. */
    int size() {
        return unwritten.size();
    }

    /** Accounts written because the cache was full, so far. */
    long writtenOnLeaving() {
        return writtenOnLeaving;
    }

    /**
     * Writes the {@code n} least recently stored accounts and lets them go: in batches, because switching the
     * operator's key is itself a serialization of the key on RocksDB, and the current key is set back once per batch.
     */
    private void writeEldest(int n) throws IOException {
        Object current = keys.getCurrentKey();
        try {
            Iterator<Map.Entry<String, AccountState>> eldest = unwritten.entrySet().iterator();
            for (int i = 0; i < n && eldest.hasNext(); i++) {
                Map.Entry<String, AccountState> e = eldest.next();
                keys.setCurrentKey(e.getKey());
                state.update(e.getValue());
                eldest.remove();
                writtenOnLeaving++;
            }
        } finally {
            keys.setCurrentKey(current);
        }
    }
}
