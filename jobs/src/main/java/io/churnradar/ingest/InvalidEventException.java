package io.churnradar.ingest;

/** An input record that cannot become an event; the message is the dead letter's reason. */
public class InvalidEventException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidEventException(String reason) {
        super(reason);
    }
}
