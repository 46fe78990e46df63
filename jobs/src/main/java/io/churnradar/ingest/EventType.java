package io.churnradar.ingest;

/** The kinds of account event; {@link #jsonName} is the backtest's {@code type} field. */
public enum EventType {
    LOGIN("login"),
    USAGE("usage"),
    SUPPORT_TICKET("support_ticket"),
    PAYMENT("payment");

    public final String jsonName;

    EventType(String jsonName) {
        this.jsonName = jsonName;
    }

    public static EventType fromJsonName(String name) {
        for (EventType t : values()) {
            if (t.jsonName.equals(name)) return t;
        }
        return null;
    }
}
