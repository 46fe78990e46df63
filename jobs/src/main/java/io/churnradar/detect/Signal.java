package io.churnradar.detect;

/** The churn precursors the detector knows. Their names are the {@code signal} field of an alert. */
public enum Signal {
    USAGE_DROP,
    INACTIVITY,
    PAYMENT_FAILED,
    TICKET_SPIKE
}
