package io.churnradar.play;

import java.io.Serializable;
import java.util.List;

/** A named play: what triggers it, its control group and its steps, in the order they fall due. */
public final class Playbook implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String name;
    public final boolean enabled;
    public final Trigger trigger;
    /** Share of accounts (0..100) kept as a control group: audited HOLDOUT, sent nothing. */
    public final double holdoutPercent;
    public final List<Step> steps;

    public Playbook(String name, boolean enabled, Trigger trigger, double holdoutPercent, List<Step> steps) {
        this.name = name;
        this.enabled = enabled;
        this.trigger = trigger;
        this.holdoutPercent = holdoutPercent;
        this.steps = List.copyOf(steps);
    }
}
