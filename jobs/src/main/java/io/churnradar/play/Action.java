package io.churnradar.play;

/**
 * What a playbook step asks a downstream system to do. Customer-facing actions reach the customer:
 * they count against the frequency cap and obey do-not-contact; internal ones only reach the team.
 * {@link #priority} decides which customer-facing command wins when the cap is reached (lower wins):
 * dunning over card and journeys over offers over surveys.
 */
public enum Action {
    SEND_DUNNING_EMAIL(true, 0),
    NOTIFY_CARD_EXPIRING(true, 1),
    ENROLL_JOURNEY(true, 2),
    OFFER_SAVE(true, 3),
    START_WIN_BACK(true, 4),
    SEND_SURVEY(true, 5),
    OFFBOARDING_SURVEY(true, 6),
    CREATE_CSM_TASK(false, 10),
    RETRY_PAYMENT(false, 10),
    NOTIFY_SLACK(false, 10),
    UPDATE_CRM(false, 10);

    public final boolean customerFacing;
    public final int priority;

    Action(boolean customerFacing, int priority) {
        this.customerFacing = customerFacing;
        this.priority = priority;
    }
}
