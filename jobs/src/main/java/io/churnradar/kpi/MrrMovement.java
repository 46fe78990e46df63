package io.churnradar.kpi;

/**
 * One change of an account's subscription as the retention KPIs see it: MRR and plan before and after
 * one subscription event, and whether the account was active (a known MRR, not canceled) on either
 * side. The detector emits one for each subscription event that changes an account's MRR, plan or
 * status. A POJO (public fields, no-argument constructor) so that Flink ships it without Kryo.
 */
public class MrrMovement {
    public String accountId;
    /** Event time of the subscription event, epoch milliseconds. */
    public long at;
    public MovementKind kind;
    public String planBefore;
    public String planAfter;
    /** MRR in minor units on either side; 0 while the account is not active. */
    public long mrrBeforeMinor;
    public long mrrAfterMinor;
    public boolean activeBefore;
    public boolean activeAfter;
    /** The cancellation reason of a CHURNED movement ("unknown" when the event gave none), else null. */
    public String reason;

    public MrrMovement() {}

    /** The MRR the movement adds (positive) or takes (negative) for the account as a whole. */
    public long deltaMinor() {
        return mrrAfterMinor - mrrBeforeMinor;
    }

    @Override
    public String toString() {
        return accountId + " " + kind + " at " + at + ": " + planBefore + "/" + mrrBeforeMinor + (activeBefore ? "" : " (inactive)")
                + " -> " + planAfter + "/" + mrrAfterMinor + (activeAfter ? "" : " (inactive)") + (reason == null ? "" : " " + reason);
    }
}
