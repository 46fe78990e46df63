package io.churnradar.play;

import static io.churnradar.play.PlaysState.NONE;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.CommandReason;
import io.churnradar.commands.RetentionCommand;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns alerts into retention commands by the playbooks of a rule set, free of Flink: the detector
 * calls it with each alert it emits, at each instant of event time the account's plays need, and
 * with subscription events (churn and reactivation settle outcomes; do-not-contact marks). Decisions
 * of one instant are taken together ({@link PendingDecisions}), in this order of rules: control
 * group, suppression, frequency cap.
 */
public final class PlaybookEngine implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long DAY_MS = 86_400_000L;

    private final PlaybookRules rules;
    private final String ruleVersion;

    public PlaybookEngine(PlaybookRules rules, String ruleVersion) {
        this.rules = rules;
        this.ruleVersion = ruleVersion;
    }

    public PlaybookRules rules() {
        return rules;
    }

    /**
     * An alert the detector emitted: starts every playbook it triggers, or, when it resolves, cancels
     * the steps still pending for its episode. A playbook starts once per episode: at the RAISED alert,
     * or at the UPDATED one whose severity (up from {@code before}) first reaches its minimum. So only
     * plays with steps still to come are kept in the state.
     *
     * @return the account's plays (a new state when this was its first play)
     */
    public PlaysState onAlert(PlaysState p, AccountView a, RiskAlert alert, Severity before, PendingDecisions pending) {
        String alertId = alert.getAlertId();
        if (alert.getStatus() == AlertStatus.RESOLVED) {
            if (p != null) p.plays = removeIf(p.plays, play -> play.alertId.equals(alertId) && resolve(play, alert, pending));
            return p;
        }
        long at = alert.getDetectedAt().toEpochMilli();
        for (Playbook pb : rules.playbooks) {
            if (!pb.enabled || !pb.trigger.matchesAlert(alert) || running(p, pb.name, alertId)) continue;
            if (before != null && before.ordinal() >= pb.trigger.minSeverity.ordinal()) continue; // started at the RAISED alert, or never
            if (!pb.trigger.segment.matches(a, at)) continue;
            if (p == null) p = new PlaysState();
            PlayState play = new PlayState();
            play.playbook = pb.name;
            play.alertId = alertId;
            play.signal = alert.getSignal();
            play.severity = alert.getSeverity().name();
            play.triggeredAt = at;
            play.anchorAt = anchor(alert);
            start(play, pb, at, pending);
            if (play.nextDueAt != NONE) p.plays = append(p.plays, play);
        }
        return p;
    }

    /**
     * The play's episode resolved at the alert's detectedAt: the steps due before then are still
     * decided (on Kafka a resolving event may be read before the watermark reached those steps),
     * the rest are cancelled.
     */
    private boolean resolve(PlayState play, RiskAlert alert, PendingDecisions pending) {
        long r = alert.getDetectedAt().toEpochMilli();
        play.resolvedAt = r;
        Playbook pb = rules.byName(play.playbook);
        if (pb == null || !pb.enabled || play.nextDueAt == NONE) return true;
        for (int i = play.nextStep; i < pb.steps.size(); i++) {
            long due = pb.steps.get(i).dueAt(play.triggeredAt, play.anchorAt);
            if (due >= r) break;
            pending.add(play, i, pb.steps.get(i), due, false);
        }
        play.nextDueAt = NONE;
        return true;
    }

    /** Queues the steps already due at the trigger; steps due before it collapse into the latest of them. */
    private static void start(PlayState play, Playbook pb, long at, PendingDecisions pending) {
        int lastPast = -1;
        for (int i = 0; i < pb.steps.size() && pb.steps.get(i).dueAt(play.triggeredAt, play.anchorAt) < at; i++) lastPast = i;
        int i = 0;
        for (; i < pb.steps.size(); i++) {
            Step step = pb.steps.get(i);
            if (step.dueAt(play.triggeredAt, play.anchorAt) > at) break;
            pending.add(play, i, step, at, i < lastPast);
        }
        schedule(play, pb, i);
    }

    private static void schedule(PlayState play, Playbook pb, int next) {
        play.nextStep = next;
        play.nextDueAt = next < pb.steps.size() ? pb.steps.get(next).dueAt(play.triggeredAt, play.anchorAt) : NONE;
    }

    /** The earliest moment this account's plays or outcome entries need event time to reach, or NONE. */
    public long nextDeadline(PlaysState p) {
        if (p == null) return NONE;
        long next = NONE;
        for (PlayState play : p.plays) next = earliest(next, play.nextDueAt);
        for (OutcomeState o : p.outcomes) next = earliest(next, windowEnd(o));
        return next;
    }

    /** Event time reached {@code at}: queues the steps due by then and settles the outcome windows that ended. */
    public void onDeadline(PlaysState p, AccountView a, long at, PendingDecisions pending, PlayOutput out) {
        if (p == null) return;
        for (PlayState play : p.plays) {
            if (play.nextDueAt == NONE || play.nextDueAt > at) continue;
            Playbook pb = rules.byName(play.playbook);
            if (pb == null || !pb.enabled || !a.isOpen(play.signal)) {
                play.nextDueAt = NONE; // switched off by a rules change, or its episode ended unseen: nothing more
                continue;
            }
            int i = play.nextStep;
            for (; i < pb.steps.size(); i++) {
                long due = pb.steps.get(i).dueAt(play.triggeredAt, play.anchorAt);
                if (due > at) break;
                pending.add(play, i, pb.steps.get(i), due, false);
            }
            schedule(play, pb, i);
        }
        p.plays = removeIf(p.plays, play -> play.nextDueAt == NONE); // done: nothing left to cancel
        List<OutcomeState> kept = new ArrayList<>();
        for (OutcomeState o : p.outcomes) {
            long end = windowEnd(o);
            if (end <= at) {
                // A win-back entry that was not reactivated within the window is lost.
                out.outcome(new OutcomeEvent(o.playbook, a.accountId(), o.heldOut,
                        o.winBack ? OutcomeEvent.Kind.LOST : OutcomeEvent.Kind.SAVED, end, o.mrrMinor));
            } else {
                kept.add(o);
            }
        }
        if (kept.size() != p.outcomes.length) p.outcomes = kept.toArray(new OutcomeState[0]);
    }

    /**
     * A subscription event, before the signals see it. {@code lifecycleInOrder}: it is not older
     * than the latest lifecycle event applied (an older one changes nothing).
     */
    public PlaysState onSubscription(PlaysState p, AccountView a, long at, String action, Boolean doNotContact,
            boolean lifecycleInOrder, PlayOutput out) {
        if (doNotContact != null) {
            if (p == null) p = new PlaysState();
            if (p.doNotContactAt == NONE || at >= p.doNotContactAt) {
                p.doNotContact = doNotContact;
                p.doNotContactAt = at;
            }
        }
        if (p == null || !lifecycleInOrder || p.outcomes.length == 0) return p;
        boolean canceled = "CANCELED".equals(action);
        boolean reactivated = "REACTIVATED".equals(action);
        if (!canceled && !reactivated) return p;
        List<OutcomeState> kept = new ArrayList<>();
        for (OutcomeState o : p.outcomes) {
            // The window's last instant included: at one instant events come before deadlines, so a churn as the
            // window ends settles the entry before the deadline would call it saved.
            boolean settles = at >= o.enteredAt && at <= windowEnd(o) && (canceled ? !o.winBack : o.winBack);
            if (settles) {
                out.outcome(new OutcomeEvent(o.playbook, a.accountId(), o.heldOut,
                        canceled ? OutcomeEvent.Kind.LOST : OutcomeEvent.Kind.SAVED, at, o.mrrMinor));
            } else {
                kept.add(o);
            }
        }
        p.outcomes = kept.toArray(new OutcomeState[0]);
        return p;
    }

    /** Decides the steps due at this instant: each becomes a command with its disposition. */
    public void decide(PlaysState p, AccountView a, PendingDecisions pending, PlayOutput out) {
        if (pending.isEmpty()) return;
        for (PendingDecisions.Due d : pending.drain()) {
            if (d.play().resolvedAt != NONE && d.at() >= d.play().resolvedAt) continue; // resolved first: cancelled
            Playbook pb = rules.byName(d.play().playbook);
            if (pb == null) continue;
            long at = d.at();
            Action action = d.step().action;
            Map<String, String> params = params(d.step().paramsFor(a, at), d.play(), a, at);
            boolean heldOut = Holdout.isHeldOut(a.accountId(), pb.name, pb.holdoutPercent);
            int key = (action.name() + params).hashCode();
            CommandDisposition disposition = CommandDisposition.SEND;
            String why = null;
            if (d.superseded()) {
                disposition = CommandDisposition.SUPPRESSED;
                why = "superseded";
            } else if (heldOut) {
                disposition = CommandDisposition.HOLDOUT;
                why = "control-group";
            } else if (action.customerFacing) {
                why = Suppression.rule(action, p, a);
                if (why != null) {
                    disposition = CommandDisposition.SUPPRESSED;
                } else if (sentWithin(p, key, at)) {
                    disposition = CommandDisposition.SUPPRESSED;
                    why = "repeat";
                } else if (sendsWithin(p, at) >= rules.capMax) {
                    disposition = CommandDisposition.CAPPED;
                    why = "frequency-cap";
                } else {
                    recordSend(p, key, at);
                }
            }
            out.command(command(a.accountId(), d, pb, params, disposition, why));
            if (!d.play().entered) {
                d.play().entered = true;
                enter(p, a, pb, heldOut, at, out);
            }
        }
    }

    /**
     * A play's first decision opens the account's outcome entry in the playbook (intention to treat),
     * unless one is still open: an account counts once per outcome window.
     */
    private void enter(PlaysState p, AccountView a, Playbook pb, boolean heldOut, long at, PlayOutput out) {
        for (OutcomeState o : p.outcomes) {
            if (o.playbook.equals(pb.name)) return;
        }
        OutcomeState o = new OutcomeState();
        o.playbook = pb.name;
        o.heldOut = heldOut;
        o.winBack = a.churned();
        o.enteredAt = at;
        o.mrrMinor = a.mrrMinor();
        p.outcomes = append(p.outcomes, o);
        out.outcome(new OutcomeEvent(pb.name, a.accountId(), heldOut, OutcomeEvent.Kind.ENTERED, at, o.mrrMinor));
    }

    private RetentionCommand command(String accountId, PendingDecisions.Due d, Playbook pb, Map<String, String> params,
            CommandDisposition disposition, String why) {
        PlayState play = d.play();
        return RetentionCommand.newBuilder()
                .setCommandId(CommandIds.of(accountId, pb.name, d.index(), play.alertId))
                .setAccountId(accountId)
                .setAction(d.step().action.name())
                .setCustomerFacing(d.step().action.customerFacing)
                .setParams(params)
                .setReason(CommandReason.newBuilder()
                        .setAlertId(play.alertId)
                        .setSignal(play.signal)
                        .setSeverity(play.severity)
                        .setPlaybook(pb.name)
                        .setStep(d.index())
                        .build())
                .setIssuedAt(Instant.ofEpochMilli(d.at()))
                .setDisposition(disposition)
                .setDispositionReason(why)
                .setRuleVersion(ruleVersion)
                .build();
    }

    /** The placeholders a step's parameter may hold, filled when the command is decided. */
    public static final java.util.List<String> PLACEHOLDERS =
            java.util.List.of("{signal}", "{severity}", "{healthScore}", "{healthTier}", "{plan}", "{mrrMinor}", "{alertId}");
    /** The most days {@code dueInDays} may give (the rules check it; the engine reads at most four digits). */
    public static final int MAX_DUE_IN_DAYS = 3650;

    /**
     * The step's parameters with their placeholders filled ({@link #PLACEHOLDERS}); {@code dueInDays} adds the
     * task's {@code dueAt}.
     */
    private static Map<String, String> params(Map<String, String> raw, PlayState play, AccountView a, long at) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String v = e.getValue();
            if (v.indexOf('{') >= 0) {
                v = v.replace("{signal}", play.signal)
                        .replace("{severity}", play.severity)
                        .replace("{alertId}", play.alertId)
                        .replace("{plan}", a.plan() == null ? "" : a.plan())
                        .replace("{mrrMinor}", a.mrrMinor() < 0 ? "" : Long.toString(a.mrrMinor()));
                if (v.contains("{healthScore}")) v = v.replace("{healthScore}", Integer.toString(a.healthScore(at)));
                if (v.contains("{healthTier}")) v = v.replace("{healthTier}", a.healthTier(at));
            }
            out.put(e.getKey(), v);
        }
        String dueIn = out.get("dueInDays");
        if (dueIn != null && dueIn.matches("\\d{1,4}")) {
            out.put("dueAt", Instant.ofEpochMilli(at + Long.parseLong(dueIn) * DAY_MS).toString());
        }
        return out;
    }

    private long windowEnd(OutcomeState o) {
        return o.enteredAt + rules.outcomeWindowDays * DAY_MS;
    }

    private long capWindow() {
        return rules.capWindowDays * DAY_MS;
    }

    private int sendsWithin(PlaysState p, long at) {
        int n = 0;
        for (long t : p.sentAt) {
            if (t > at - capWindow() && t <= at) n++;
        }
        return n;
    }

    private boolean sentWithin(PlaysState p, int key, long at) {
        for (int i = 0; i < p.sentAt.length; i++) {
            if (p.sentKey[i] == key && p.sentAt[i] > at - capWindow() && p.sentAt[i] <= at) return true;
        }
        return false;
    }

    /** Remembers a customer-facing send; keeps only what the cap window can still count, at most MAX_CAP. */
    private void recordSend(PlaysState p, int key, long at) {
        int keepFrom = 0;
        while (keepFrom < p.sentAt.length && (p.sentAt[keepFrom] <= at - capWindow()
                || p.sentAt.length - keepFrom >= PlaybookRules.MAX_CAP)) keepFrom++;
        int n = p.sentAt.length - keepFrom;
        long[] times = new long[n + 1];
        int[] keys = new int[n + 1];
        System.arraycopy(p.sentAt, keepFrom, times, 0, n);
        System.arraycopy(p.sentKey, keepFrom, keys, 0, n);
        times[n] = at;
        keys[n] = key;
        p.sentAt = times;
        p.sentKey = keys;
    }

    /** The card's expiry from a CARD_EXPIRING alert's evidence, or NONE. */
    private static long anchor(RiskAlert alert) {
        String expires = alert.getEvidence().get("expiresAt");
        if (expires == null) return NONE;
        try {
            return Instant.parse(expires).toEpochMilli();
        } catch (RuntimeException e) {
            return NONE;
        }
    }

    private static boolean running(PlaysState p, String playbook, String alertId) {
        if (p == null) return false;
        for (PlayState play : p.plays) {
            if (play.playbook.equals(playbook) && play.alertId.equals(alertId)) return true;
        }
        return false;
    }

    private static long earliest(long a, long b) {
        if (a == NONE) return b;
        if (b == NONE) return a;
        return Math.min(a, b);
    }

    private static <T> T[] append(T[] array, T item) {
        T[] out = Arrays.copyOf(array, array.length + 1);
        out[array.length] = item;
        return out;
    }

    private static PlayState[] removeIf(PlayState[] plays, java.util.function.Predicate<PlayState> gone) {
        List<PlayState> kept = new ArrayList<>(plays.length);
        for (PlayState play : plays) {
            if (!gone.test(play)) kept.add(play);
        }
        return kept.size() == plays.length ? plays : kept.toArray(new PlayState[0]);
    }
}
