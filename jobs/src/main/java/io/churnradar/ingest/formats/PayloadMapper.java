package io.churnradar.ingest.formats;

import io.churnradar.ingest.InvalidEventException;
import java.io.Serializable;

/**
 * Maps one payload of an input format to our events. Throws with a readable reason for a payload that
 * must not become an event (the reason goes to the dead letter with the payload's bytes); returns
 * {@link Mapped#skipped} for a payload that is valid but carries no churn signal.
 */
public interface PayloadMapper extends Serializable {
    Mapped map(byte[] payload) throws InvalidEventException;

    /** Whether payloads may leave their account to a user-to-account link that earlier payloads taught. */
    default boolean learnsUserLinks() {
        return false;
    }
}
