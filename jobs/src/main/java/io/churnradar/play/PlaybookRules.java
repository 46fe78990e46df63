package io.churnradar.play;

import java.io.Serializable;
import java.util.List;

/**
 * The playbooks of a rule set and the policy over all of them: the frequency cap on customer-facing
 * commands, the default control group and the outcome window. Part of {@code Rules}; immutable.
 */
public final class PlaybookRules implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Playbooks a rule set may hold: bounds the per-account state of plays in progress. */
    public static final int MAX_PLAYBOOKS = 64;
    public static final int MAX_STEPS = 16;
    /** Highest frequency cap: the account remembers this many recent customer-facing sends. */
    public static final int MAX_CAP = 20;

    /** At most {@link #capMax} customer-facing commands per account in any {@link #capWindowDays} days. */
    public final int capMax;
    public final int capWindowDays;
    /** An account is saved if it has not churned within this many days of its first decision. */
    public final int outcomeWindowDays;
    public final List<Playbook> playbooks;

    public PlaybookRules(int capMax, int capWindowDays, int outcomeWindowDays, List<Playbook> playbooks) {
        this.capMax = capMax;
        this.capWindowDays = capWindowDays;
        this.outcomeWindowDays = outcomeWindowDays;
        this.playbooks = List.copyOf(playbooks);
    }

    public static PlaybookRules defaults() {
        return new PlaybookRules(3, 7, 60, DefaultPlaybooks.all(DefaultPlaybooks.HOLDOUT_PERCENT));
    }

    /** No playbook at all: detection only. */
    public static PlaybookRules none() {
        return new PlaybookRules(3, 7, 60, List.of());
    }

    public Playbook byName(String name) {
        for (Playbook p : playbooks) {
            if (p.name.equals(name)) return p;
        }
        return null;
    }
}
