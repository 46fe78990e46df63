package io.churnradar.play;

/**
 * An account's plays in progress, its outcome entries, its recent customer-facing sends (for the
 * frequency cap) and its do-not-contact mark: part of the detector's per-account state, null until
 * the account's first playbook. Bounded: at most one play per playbook and open alert episode, one
 * outcome entry per playbook, {@link PlaybookRules#MAX_CAP} sends. A POJO (no Kryo; fields are only
 * ever added).
 */
public class PlaysState {
    public static final long NONE = Long.MIN_VALUE;

    public PlayState[] plays = new PlayState[0];
    public OutcomeState[] outcomes = new OutcomeState[0];
    /** Event time and action key of the latest customer-facing commands sent, oldest first. */
    public long[] sentAt = new long[0];
    public int[] sentKey = new int[0];
    /** Marked do-not-contact by a CS manager, as of the event time {@link #doNotContactAt}. */
    public boolean doNotContact;
    public long doNotContactAt = NONE;

    public PlaysState() {}
}
