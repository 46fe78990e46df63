package io.churnradar.play;

/**
 * One playbook running for one alert episode: the steps already decided, and when the next one is
 * due. Kept only while steps are still to come (a play whose steps were all due at once is never
 * stored). A POJO.
 */
public class PlayState {
    public String playbook;
    public String alertId;
    public String signal;
    public String severity;
    /** The alert's detectedAt when the playbook started. */
    public long triggeredAt;
    /** The card's expiry for steps due before it, or NONE. */
    public long anchorAt = PlaysState.NONE;
    /** Index of the next step to decide. */
    public int nextStep;
    public long nextDueAt = PlaysState.NONE;
    /** Whether its first decision opened (or joined) the account's outcome entry: later steps never open another. */
    public boolean entered;
    /** When its episode resolved (the play is then gone from the state; steps due before it are still decided). */
    public long resolvedAt = PlaysState.NONE;

    public PlayState() {}
}
