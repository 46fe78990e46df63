package io.churnradar.detect;

import java.io.Serializable;

/**
 * In which order the detector applies the events it reads ({@code eventTime.order} and
 * {@code eventTime.maxBufferedPerAccount} in the job's settings; docs/operations.md, "Event time").
 *
 * @param order {@link Order#EVENT_TIME}: every output is independent of the order events arrive in
 *     within the out-of-orderness bound, at a latency of up to the bound; {@link Order#ARRIVAL}: each event
 *     applies as it arrives (the lowest latency; scores and health may then depend on the read order)
 * @param maxBufferedPerAccount events an account may hold ahead of the watermark; beyond it the earliest
 *     is applied at once (counted in {@value ChurnDetector#RELEASED_EARLY}), never dropped
 */
public record EventOrdering(Order order, int maxBufferedPerAccount) implements Serializable {
    public static final int DEFAULT_MAX_BUFFERED = 1_000;
    public static final int MAX_MAX_BUFFERED = 100_000;

    public enum Order {
        EVENT_TIME("event-time"), ARRIVAL("arrival");

        public final String id;

        Order(String id) {
            this.id = id;
        }

        /** The order of a settings value, or null. */
        public static Order of(String id) {
            for (Order o : values()) if (o.id.equals(id)) return o;
            return null;
        }
    }

    public EventOrdering {
        if (order == null) throw new IllegalArgumentException("order must be given");
        if (maxBufferedPerAccount < 1) throw new IllegalArgumentException("maxBufferedPerAccount must be at least 1");
    }

    public static EventOrdering defaults() {
        return new EventOrdering(Order.EVENT_TIME, DEFAULT_MAX_BUFFERED);
    }

    public static EventOrdering arrival() {
        return new EventOrdering(Order.ARRIVAL, DEFAULT_MAX_BUFFERED);
    }

    public boolean eventTimeOrder() {
        return order == Order.EVENT_TIME;
    }
}
