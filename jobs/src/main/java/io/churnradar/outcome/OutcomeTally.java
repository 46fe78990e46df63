package io.churnradar.outcome;

import io.churnradar.play.OutcomeEvent;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The outcomes of every playbook, folded from OutcomeEvents in any order: counts and MRR sums per
 * playbook and group, nothing per account, so memory grows with the number of playbooks only.
 *
 * <p>Counting is by entries: an account that entered a playbook again after its previous entry settled
 * counts once per entry, in entered and in its outcome. An entry is open when it entered but has no
 * outcome in the events: {@code open = entered - saved - lost}. That needs no pairing of events,
 * which is what lets the tally hold counts only; it also means an outcome whose ENTERED is not in the
 * events (an entry from before the data began) counts as settled while open stays at zero or above.
 *
 * <p>MRR comes from the events themselves: SAVED and LOST are expected to carry the {@code mrrMinor}
 * of their entry (joining them to their ENTERED would need state per account). -1 (unknown) adds nothing.
 */
public final class OutcomeTally {
    /** The running sums of one group of one playbook. */
    static final class Sums {
        long entered;
        long saved;
        long lost;
        long savedMrrMinor;
        long lostMrrMinor;

        UpliftStats.Group group() {
            long open = Math.max(0, entered - saved - lost);
            return new UpliftStats.Group(entered, saved, lost, open, savedMrrMinor, savedMrrMinor + lostMrrMinor);
        }
    }

    /** The two groups of one playbook. */
    static final class PlaybookSums {
        final Sums treated = new Sums();
        final Sums heldOut = new Sums();
    }

    private final SortedMap<String, PlaybookSums> playbooks = new TreeMap<>();
    private long events;

    /** Counts one event. */
    public void add(OutcomeEvent e) {
        if (e.playbook == null || e.kind == null) {
            throw new IllegalArgumentException("an outcome event needs a playbook and a kind: " + e);
        }
        PlaybookSums p = playbooks.computeIfAbsent(e.playbook, k -> new PlaybookSums());
        Sums g = e.heldOut ? p.heldOut : p.treated;
        long mrr = Math.max(0, e.mrrMinor);
        switch (e.kind) {
            case ENTERED -> g.entered++;
            case SAVED -> {
                g.saved++;
                g.savedMrrMinor += mrr;
            }
            case LOST -> {
                g.lost++;
                g.lostMrrMinor += mrr;
            }
        }
        events++;
    }

    /** Counts every event. */
    public OutcomeTally addAll(Iterable<OutcomeEvent> events) {
        for (OutcomeEvent e : events) add(e);
        return this;
    }

    /** The events counted so far. */
    public long events() {
        return events;
    }

    /** The statistics of each playbook seen, by name. */
    public SortedMap<String, UpliftStats> stats() {
        SortedMap<String, UpliftStats> out = new TreeMap<>();
        for (Map.Entry<String, PlaybookSums> e : playbooks.entrySet()) {
            out.put(e.getKey(), UpliftStats.of(e.getValue().treated.group(), e.getValue().heldOut.group()));
        }
        return Collections.unmodifiableSortedMap(out);
    }
}
