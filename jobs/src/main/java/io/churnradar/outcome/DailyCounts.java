package io.churnradar.outcome;

import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.play.OutcomeEvent;

/**
 * The counts of one playbook's outcome events in one day: the accumulator of the daily window. A POJO
 * (public fields, no-argument constructor) so that Flink keeps it in state without Kryo.
 */
public class DailyCounts {
    public long treatedEntered;
    public long heldOutEntered;
    public long treatedSaved;
    public long treatedLost;
    public long heldOutSaved;
    public long heldOutLost;
    public long treatedSavedMrrMinor;
    public long heldOutSavedMrrMinor;

    public DailyCounts() {}

    /** Counts one event; an unknown MRR (-1) adds nothing to the MRR sums. */
    public DailyCounts add(OutcomeEvent e) {
        long mrr = Math.max(0, e.mrrMinor);
        switch (e.kind) {
            case ENTERED -> {
                if (e.heldOut) heldOutEntered++;
                else treatedEntered++;
            }
            case SAVED -> {
                if (e.heldOut) {
                    heldOutSaved++;
                    heldOutSavedMrrMinor += mrr;
                } else {
                    treatedSaved++;
                    treatedSavedMrrMinor += mrr;
                }
            }
            case LOST -> {
                if (e.heldOut) heldOutLost++;
                else treatedLost++;
            }
        }
        return this;
    }

    public DailyCounts merge(DailyCounts o) {
        treatedEntered += o.treatedEntered;
        heldOutEntered += o.heldOutEntered;
        treatedSaved += o.treatedSaved;
        treatedLost += o.treatedLost;
        heldOutSaved += o.heldOutSaved;
        heldOutLost += o.heldOutLost;
        treatedSavedMrrMinor += o.treatedSavedMrrMinor;
        heldOutSavedMrrMinor += o.heldOutSavedMrrMinor;
        return this;
    }

    /** The record of churn.playbook-outcomes for these counts. */
    public PlaybookOutcome toRecord(String playbook, String day) {
        return PlaybookOutcome.newBuilder()
                .setPlaybook(playbook)
                .setDay(day)
                .setTreatedEntered(treatedEntered)
                .setHeldOutEntered(heldOutEntered)
                .setTreatedSaved(treatedSaved)
                .setTreatedLost(treatedLost)
                .setHeldOutSaved(heldOutSaved)
                .setHeldOutLost(heldOutLost)
                .setTreatedSavedMrrMinor(treatedSavedMrrMinor)
                .setHeldOutSavedMrrMinor(heldOutSavedMrrMinor)
                .build();
    }
}
