package io.churnradar.ingest;

/** The kinds of account event; {@link #jsonName} is the backtest's {@code type} field. */
public enum EventType {
    LOGIN("login"),
    USAGE("usage"),
    SUPPORT_TICKET("support_ticket"),
    PAYMENT("payment"),
    FEEDBACK("feedback"),
    SUBSCRIPTION("subscription");

    public final String jsonName;
    /** values() copies its array at every call, and every line read asks for its type. */
    private static final EventType[] ALL = values();

    EventType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The backtest's names of all types, for messages. */
    public static String jsonNames() {
        StringBuilder b = new StringBuilder();
        for (EventType t : values()) b.append(b.length() == 0 ? "" : ", ").append(t.jsonName);
        return b.toString();
    }

    public static EventType fromJsonName(String name) {
        for (EventType t : ALL) {
            if (t.jsonName.equals(name)) return t;
        }
        return null;
    }
}
