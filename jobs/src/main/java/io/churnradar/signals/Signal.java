package io.churnradar.signals;

/**
 * The churn precursors the detector knows. Their names are the {@code signal} field of an alert.
 * Open episodes are kept by {@link #ordinal()} in {@link AccountState#episodes}: append new signals
 * at the end, never reorder or remove one, or restored state would mix them up.
 */
public enum Signal {
    USAGE_DROP,
    INACTIVITY,
    PAYMENT_FAILED,
    TICKET_SPIKE,
    NPS_DETRACTOR,
    LOW_CSAT,
    URGENT_TICKET_AGING,
    CARD_EXPIRING,
    CORE_FEATURE_UNUSED,
    ONBOARDING_STALLED,
    DOWNGRADE,
    CANCELLATION_REQUESTED,
    CHURNED,
    RENEWAL_AT_RISK,
    CHURN_RISK
}
