package io.churnradar.play;

/**
 * What the playbooks need to know of an account, read from the detector's state: segment facts,
 * open episodes and the health score. Keeps the playbook rules free of the detector's internals.
 */
public interface AccountView {
    String accountId();

    /** The plan, or null when no subscription event told it. */
    String plan();

    /** MRR in minor units, or -1 when unknown. */
    long mrrMinor();

    /** Whole days since the subscription started (else since the first event), at {@code at}. */
    long tenureDays(long at);

    /** Whether an episode of the signal is open. */
    boolean isOpen(String signal);

    /** Whether the subscription is canceled and not reactivated. */
    boolean churned();

    /** The health score 0..100 at {@code at}. */
    int healthScore(long at);

    /** The health tier at {@code at}. */
    String healthTier(long at);
}
