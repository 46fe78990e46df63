package io.churnradar.bench.micro;

import java.util.HashMap;
import java.util.Map;

/**
 * The seam the de-duplication benchmark measures through: "was this event id seen for this account within
 * the window?". {@link #current} is the check of ChurnDetector#isDuplicate as it is today, over the account's
 * map of seen ids (a heap MapState; on RocksDB each get and put also (de)serializes and crosses JNI, which
 * this does not measure). When the detector keeps ids hashed to 64 bits inside AccountState, add that check
 * here as a second implementation and a benchmark method beside the current one.
 */
public interface EventIdDedup {
    /** True for a duplicate; otherwise remembers the id at this event time. */
    boolean isDuplicate(String eventId, long eventTime);

    /** ChurnDetector's check: a map of id to event time, a duplicate within {@code windowMs} either way. */
    static EventIdDedup current(long windowMs) {
        Map<String, Long> seen = new HashMap<>();
        return (id, eventTime) -> {
            Long seenAt = seen.get(id);
            if (seenAt != null && Math.abs(eventTime - seenAt) <= windowMs) return true;
            seen.put(id, eventTime);
            return false;
        };
    }
}
