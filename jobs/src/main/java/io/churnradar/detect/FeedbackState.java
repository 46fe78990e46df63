package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

/** The account's latest survey answers (part of {@link AccountState}; a POJO). */
public class FeedbackState {
    /** The latest NPS answer 0..10 (-1 when none) and its event time. */
    public int lastNpsScore = -1;
    public long lastNpsAt = NONE;
    /** The latest CSAT 1..5 from a survey or a ticket (-1 when none) and its event time. */
    public int lastCsatScore = -1;
    public long lastCsatAt = NONE;

    public FeedbackState() {}
}
