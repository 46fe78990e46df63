package io.churnradar.play;

/**
 * One account's passage through one playbook, as the detector sees it: it ENTERED (at its first
 * decision, treated or held out), and later was SAVED (no churn within the outcome window) or LOST
 * (churned within it). Aggregated per playbook and day for churn.playbook-outcomes and outcomes.json.
 * A POJO so that Flink serializes it without Kryo.
 */
public class OutcomeEvent {
    public enum Kind { ENTERED, SAVED, LOST }

    public String playbook;
    public String accountId;
    /** True when the account is in the playbook's control group. */
    public boolean heldOut;
    public Kind kind;
    /** Event time: the first decision for ENTERED, the end of the window for SAVED, the churn for LOST. */
    public long at;
    /** The account's MRR (minor units) when it entered, or -1 when unknown. */
    public long mrrMinor = -1;

    public OutcomeEvent() {}

    public OutcomeEvent(String playbook, String accountId, boolean heldOut, Kind kind, long at, long mrrMinor) {
        this.playbook = playbook;
        this.accountId = accountId;
        this.heldOut = heldOut;
        this.kind = kind;
        this.at = at;
        this.mrrMinor = mrrMinor;
    }

    @Override
    public String toString() {
        return kind + " " + playbook + " " + accountId + (heldOut ? " (held out)" : "") + " at " + at;
    }
}
