package io.churnradar.detect;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The accounts a detection subtask on RocksDB changed since its last checkpoint, kept as objects and written to their
 * keyed state when they leave the cache (the least recently stored first, once it is full) or before a checkpoint.
 * On RocksDB every read of an account deserializes all of it and every write serializes it again; an on-time event
 * costs a read on arrival (held in the account's buffer), a read and a write when the watermark releases it, and each
 * day close or deadline of the account a read and a write more.
 *
 * <p>An account that holds events is always kept: it is read again when the watermark releases them. One that holds
 * none is kept while that pays, judged on what the cache sees. It pays when accounts come back while still here: at
 * 10,000 accounts read at full speed it halved the detection's CPU an event. It costs when they do not: in a live
 * stream of 3,300 events a second over 10,000 accounts, kept regardless, they made each checkpoint write every
 * account changed since the last one in its synchronous part, and the at-least-once alerts' p99 latency rose from
 * 77 to 93 ms to 94 to 227 ms. So at each checkpoint, and whenever a capacity of such accounts left the cache, it
 * compares the reads of them from the cache with those it let go unread since stored; under {@link #MIN_REUSE} it
 * writes such accounts at once for the next {@link #PAUSE_CAPACITIES} capacities of them, then tries again.
 *
 * <p>Correct because the detector is the only writer of the account state and every read and write of it
 * goes through here, and because {@link #flush} runs before each checkpoint (the detector's snapshotState,
 * before the keyed backend's snapshot) and before anything that reads the state by itself (a rules change's
 * pass over every account). What is lost on a failure is what the checkpoint restores anyway. Which accounts are
 * kept changes no output, only how often an account is (de)serialized.
 *
 * <p>Written by hand: Flink's keyed state backends keep no object cache in front of RocksDB.
 */
final class AccountCache {
    /**
     * Accounts kept on RocksDB, per subtask: at most about 16 to 48 MB of objects (1 to 3 KB an account). Beyond it
     * the least recently stored ones are written as they leave.
     */
    static final int DEFAULT_CAPACITY = 16_384;

    /** A full cache writes a 64th of itself at once. */
    private static final int EVICTION_BATCHES = 64;

    /**
     * Keeping accounts that hold no events pays when the reads the cache served of them make at least this share of
     * those reads and the accounts it let go unread together: a read served saves a read and a write of RocksDB, and
     * an account kept for nothing costs about as much, in the collector and in the checkpoint's synchronous part.
     */
    static final double MIN_REUSE = 0.5;

    /** When keeping them did not pay: accounts holding no events written at once, in cache capacities, before the next try. */
    static final int PAUSE_CAPACITIES = 8;

    private final ValueState<AccountState> state;
    private final KeyContext keys;
    private final int capacity;
    /** Accounts changed since their last write to the state, the least recently stored first. */
    private final LinkedHashMap<String, AccountState> unwritten = new LinkedHashMap<>();
    private long writtenOnLeaving;
    /** Whether accounts holding no events are kept now. */
    private boolean keepingIdle = true;
    /**
     * Since keeping was last judged: reads from the cache of accounts holding no events, and such accounts written as
     * they left it or at a checkpoint, never read again since they were stored.
     */
    private int idleReused;
    private int idleWritten;
    /** While not keeping them: stores of accounts holding no events left before the next try. */
    private long pauseLeft;

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
        if (s == null) return state.value();
        if (EventBuffer.size(s) == 0) idleReused++;
        return s;
    }

    /**
     * Stores the account of the current key {@code key}: kept while it holds events ahead of the watermark, and
     * otherwise while keeping such accounts pays; the least recently stored ones are written if the cache is full.
     * With capacity 0, written at once.
     */
    void put(String key, AccountState s) throws IOException {
        if (capacity == 0) {
            state.update(s);
            return;
        }
        if (EventBuffer.size(s) == 0 && !keepIdle()) {
            unwritten.remove(key);
            state.update(s);
            return;
        }
        unwritten.remove(key); // stored again: the most recent one
        unwritten.put(key, s);
        if (unwritten.size() > capacity) writeEldest(Math.max(1, capacity / EVICTION_BATCHES));
    }

    /** Whether to keep an account holding no events; while paused, counts the stores left before the next try. */
    private boolean keepIdle() {
        if (keepingIdle) return true;
        if (--pauseLeft > 0) return false;
        keepingIdle = true;
        startCounting();
        return true;
    }

    /**
     * Judges whether keeping accounts that hold no events paid: at each checkpoint, and whenever a capacity of them
     * left the cache. Until the cache first fills or a checkpoint writes it, none was let go for nothing.
     */
    private void judge() {
        if (!keepingIdle) return;
        keepingIdle = idleReused >= MIN_REUSE * (idleReused + idleWritten);
        if (!keepingIdle) pauseLeft = PAUSE_CAPACITIES * (long) capacity;
        startCounting();
    }

    private void startCounting() {
        idleReused = 0;
        idleWritten = 0;
    }

    /** Whether accounts holding no events are kept now (the tests' view). */
    boolean keepingIdle() {
        return keepingIdle;
    }

    /** Writes every account kept to the state; the cache is empty after it. */
    void flush() throws IOException {
        if (unwritten.isEmpty()) return;
        Object current = keys.getCurrentKey();
        try {
            for (Map.Entry<String, AccountState> e : unwritten.entrySet()) {
                keys.setCurrentKey(e.getKey());
                write(e.getValue());
            }
            unwritten.clear();
        } finally {
            if (current != null) keys.setCurrentKey(current);
        }
        judge();
    }

    /** Accounts kept unwritten. */
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
                write(e.getValue());
                eldest.remove();
                writtenOnLeaving++;
            }
        } finally {
            keys.setCurrentKey(current);
        }
    }

    /** Writes a kept account under the current key, counting one that holds no events: it was not read again since stored. */
    private void write(AccountState s) throws IOException {
        state.update(s);
        if (EventBuffer.size(s) == 0 && ++idleWritten >= capacity) judge();
    }
}
