package io.churnradar.play;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The steps that fell due at one instant of event time, decided together so that, when the frequency
 * cap is reached, the higher-priority command wins whatever order the alerts came in.
 */
public final class PendingDecisions {
    static final Comparator<Due> ORDER = Comparator.<Due>comparingLong(d -> d.at)
            .thenComparingInt(d -> d.step.action.priority)
            .thenComparing(d -> d.play.playbook)
            .thenComparing(d -> d.play.alertId)
            .thenComparingInt(d -> d.index);

    private final List<Due> due = new ArrayList<>(2);

    void add(PlayState play, int index, Step step, long at, boolean superseded) {
        due.add(new Due(play, index, step, at, superseded));
    }

    boolean isEmpty() {
        return due.isEmpty();
    }

    /** The due steps in decision order, and forgets them. */
    List<Due> drain() {
        List<Due> out = new ArrayList<>(due);
        out.sort(ORDER);
        due.clear();
        return out;
    }

    record Due(PlayState play, int index, Step step, long at, boolean superseded) {}
}
