package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.detect.state.EventTime;
import io.churnradar.play.PendingDecisions;
import io.churnradar.play.PlaybookEngine;
import io.churnradar.propensity.ChurnScore;
import io.churnradar.score.AccountHealthModel;
import io.churnradar.score.Health;
import io.churnradar.score.HealthRecords;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Signal;
import java.util.Map;

/**
 * Opens, escalates and closes the episodes of one account, dating each alert no earlier than the
 * floor (the watermark when an event is applied): an alert an event makes due behind the watermark
 * is dated at the watermark and its evidence says {@code late}. Every alert carries the account's
 * health at its {@code detectedAt}. Every alert also goes to the playbooks; the steps it makes due
 * are decided at the end of the instant ({@link #decide}).
 */
final class Emitter implements Alerting {
    private final String accountId;
    private final AccountState s;
    private final long floor;
    private final boolean late;
    private final DetectionOutput out;
    private final String ruleVersion;
    private final AccountHealthModel health;
    private final PlaybookEngine plays;
    /** Created with the first step due in this call: most calls have none. */
    private PendingDecisions pending;
    private AccountFacts facts;
    /** The churn score of the day close being processed, until the health update of that close carries it. */
    private ChurnScore churnScore;
    private long churnScoredAt;

    Emitter(String accountId, AccountState s, long floor, boolean late, DetectionOutput out, String ruleVersion,
            AccountHealthModel health, PlaybookEngine plays) {
        this.accountId = accountId;
        this.s = s;
        this.floor = floor;
        this.late = late;
        this.out = out;
        this.ruleVersion = ruleVersion;
        this.health = health;
        this.plays = plays;
    }

    AccountFacts facts() {
        if (facts == null) facts = new AccountFacts(accountId, s, health);
        return facts;
    }

    PendingDecisions pending() {
        if (pending == null) pending = new PendingDecisions();
        return pending;
    }

    /** Tells the output that the close of {@code day} was evaluated. */
    void dayClosed(long day) {
        // No later alert of the account is dated before this close: what ended at an earlier instant names nothing more.
        if (s.endedAtStartAt != NONE && s.endedAtStartAt < EventTime.closeAt(day)) s.forgetEndedAtStart();
        out.dayClosed(accountId, s, day);
    }

    DetectionOutput out() {
        return out;
    }

    /** Decides the playbook steps that fell due at the instant just processed. */
    void decide() {
        if (pending != null && s.plays != null) plays.decide(s.plays, facts(), pending, out);
    }

    @Override
    public Health healthAt(long at) {
        return health.compute(s, at);
    }

    @Override
    public void raise(Signal signal, Severity severity, long at, Map<String, String> ev, String why) {
        if (s.episode(signal) != null) return;
        long when = dated(at, ev);
        Episode e = new Episode(when, severity);
        e.repeat = s.episodesEndedAtStart(signal, when);
        s.setEpisode(signal, e);
        emit(signal, severity, null, AlertStatus.RAISED, when, e, ev, why);
    }

    @Override
    public void raiseOrEscalate(Signal signal, Severity severity, long at, Map<String, String> ev, String why) {
        Episode open = s.episode(signal);
        if (open == null) {
            raise(signal, severity, at, ev, why);
        } else if (open.severity != severity && severity.ordinal() > open.severity.ordinal()) {
            long when = dated(at, ev);
            Severity before = open.severity;
            open.severity = severity;
            emit(signal, severity, before, AlertStatus.UPDATED, when, open, ev, why);
        }
    }

    @Override
    public void resolve(Signal signal, long at, Map<String, String> ev, String why) {
        Episode open = s.episode(signal);
        if (open == null) return;
        long when = dated(at, ev);
        s.setEpisode(signal, null);
        if (open.start == when) s.endedAtStart(signal, when, open.repeat + 1);
        emit(signal, open.severity, null, AlertStatus.RESOLVED, when, open, ev, why);
    }

    @Override
    public void scored(ChurnScore score, long dayCloseAt) {
        churnScore = score;
        churnScoredAt = dayCloseAt;
    }

    /** Whether a churn score waits for the health update of this close. */
    boolean hasChurnScore() {
        return churnScore != null;
    }

    /** Publishes a health update of the account (with the churn score of this close, if any). */
    void publishHealth(Health h, long asOf) {
        out.health(HealthRecords.toRecord(accountId, h, asOf, ruleVersion, churnScore, churnScoredAt));
        churnScore = null;
    }

    /** @param before the severity before an UPDATED alert (null otherwise): playbooks start when it crosses their minimum */
    private void emit(Signal signal, Severity severity, Severity before, AlertStatus status, long when, Episode episode,
            Map<String, String> ev, String why) {
        RiskAlert alert = Alerts.build(accountId, signal, severity, status, when, episode, ev, why, ruleVersion, healthAt(when));
        out.accept(alert);
        s.plays = plays.onAlert(s.plays, facts(), alert, before, pending());
    }

    private long dated(long at, Map<String, String> ev) {
        if (floor != NONE && at <= floor) {
            if (late || at < floor) ev.put("late", "true");
            return Math.max(at, floor);
        }
        return at;
    }
}
