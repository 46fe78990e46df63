package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.kpi.MovementKind;
import io.churnradar.kpi.MrrMovement;
import java.util.Objects;

/**
 * The MRR movement of one subscription event, for the retention KPIs: the engine notes the account's
 * subscription before the signal families apply the event ({@link #before}) and compares after
 * ({@link #emit}). Reading the state the families keep (plan and MRR from the latest event in event
 * time, canceled or not) means an event older than what is known, or one that changes nothing, makes no
 * movement, and the KPIs agree with the signals about every account.
 */
final class MrrMovements {
    private MrrMovements() {}

    /** The account's subscription as it stood before an event. */
    record Before(String plan, long mrrMinor, boolean canceled) {
        boolean active() {
            return mrrMinor != NONE && !canceled;
        }
    }

    /** The subscription before {@code e}, or null when {@code e} is no subscription event (nothing to compare). */
    static Before before(AccountState s, AccountEvent e) {
        if (e.type != EventType.SUBSCRIPTION) return null;
        SubscriptionState sub = s.subscription;
        if (sub == null) return new Before(null, NONE, false);
        return new Before(sub.plan, sub.mrrMinor, sub.churnedAt != NONE);
    }

    /**
     * Emits the movement from {@code before} to the account's subscription now, if the event changed anything,
     * dated at the event, or at the {@code watermark} (NONE: none yet) when the event is behind it. A late event's
     * movement counts in the first day this subtask has not closed, decided here, where event time is this
     * subtask's: the KPIs' operator reads the movements of every subtask, and its event time, the slowest of
     * theirs, depends on how their records interleave; judged there, the same input made other KPIs from run to run.
     */
    static void emit(String accountId, Before before, AccountState s, AccountEvent e, long watermark, DetectionOutput out) {
        if (before == null) return;
        SubscriptionState sub = s.subscription;
        if (sub == null) return;
        boolean activeBefore = before.active();
        boolean activeAfter = sub.mrrMinor != NONE && sub.churnedAt == NONE;
        if (!activeBefore && !activeAfter) return; // never counted in any segment, before or after
        long mrrBefore = activeBefore ? before.mrrMinor : 0;
        long mrrAfter = activeAfter ? sub.mrrMinor : 0;
        MovementKind kind;
        if (activeBefore && !activeAfter) {
            kind = MovementKind.CHURNED;
        } else if (!activeBefore) {
            // Inactive before: either canceled (this brings it back) or no MRR known yet (its first).
            kind = before.canceled ? MovementKind.REACTIVATED : MovementKind.NEW;
        } else if (mrrAfter > mrrBefore) {
            kind = MovementKind.EXPANSION;
        } else if (mrrAfter < mrrBefore) {
            kind = MovementKind.CONTRACTION;
        } else if (!Objects.equals(before.plan, sub.plan)) {
            kind = MovementKind.PLAN_CHANGE;
        } else {
            return; // same MRR, plan and status: no movement
        }
        MrrMovement m = new MrrMovement();
        m.accountId = accountId;
        m.at = watermark == NONE ? e.eventTime : Math.max(e.eventTime, watermark);
        m.kind = kind;
        m.planBefore = before.plan;
        m.planAfter = sub.plan;
        m.mrrBeforeMinor = mrrBefore;
        m.mrrAfterMinor = mrrAfter;
        m.activeBefore = activeBefore;
        m.activeAfter = activeAfter;
        if (kind == MovementKind.CHURNED) m.reason = e.reason == null || e.reason.isBlank() ? "unknown" : e.reason.trim();
        out.mrrMovement(m);
    }
}
