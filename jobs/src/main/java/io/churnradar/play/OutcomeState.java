package io.churnradar.play;

/**
 * An account's open entry in one playbook: settled SAVED at the end of the outcome window, or LOST
 * when the account churns first. A win-back entry (the account had already churned when it entered)
 * is saved by a reactivation within the window and lost otherwise. A POJO.
 */
public class OutcomeState {
    public String playbook;
    public boolean heldOut;
    public boolean winBack;
    public long enteredAt;
    public long mrrMinor = -1;

    public OutcomeState() {}
}
