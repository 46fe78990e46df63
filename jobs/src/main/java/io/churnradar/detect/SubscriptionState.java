package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

/** The account's subscription as its events told it (part of {@link AccountState}; a POJO). */
public class SubscriptionState {
    /** The latest STARTED, the moment that onboarding activated, and whether its deadline has passed. */
    public long startedAt = NONE;
    public long activatedAt = NONE;
    public boolean onboardingDeadlinePassed;

    /** The latest known MRR (minor units) with its event time, plan and seats. */
    public long mrrMinor = NONE;
    public long mrrSeenAt = NONE;
    public String plan;
    public Integer seats;
    /** MRR before the open DOWNGRADE episode, which recovering to it resolves. */
    public long downgradeFromMrrMinor = NONE;

    /** Event time of the latest lifecycle event applied (CANCEL_REQUESTED, CANCELED, REACTIVATED, RENEWED). */
    public long lifecycleAt = NONE;
    /** When the subscription was CANCELED, or NONE while it runs. */
    public long churnedAt = NONE;

    /** Next renewal as a UTC epoch day, and the event time that told it. */
    public long renewalDay = NONE;
    public long renewalSeenAt = NONE;

    public SubscriptionState() {}
}
