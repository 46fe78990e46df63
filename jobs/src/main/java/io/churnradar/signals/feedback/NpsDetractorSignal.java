package io.churnradar.signals.feedback;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.FeedbackState;
import io.churnradar.events.SurveyType;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.signals.Alerting;
import io.churnradar.signals.Evidence;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalFamily;
import io.churnradar.signals.SignalSpec;
import java.util.List;
import java.util.Map;

/**
 * NPS_DETRACTOR: an NPS answer of 6 or less, at its event time; resolved by a later answer of 7 or
 * more. The account's latest answer counts, whoever gave it; an answer older than the latest one
 * seen changes nothing. Keeps the latest answer for the health score whether or not the signal is on.
 */
public final class NpsDetractorSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;
    static final int MAX_COMMENT = 200;

    /** Rules block {@code signals.npsDetractor}: NPS answers are 0..10. */
    public static final SignalSpec<ScoreThreshold> SPEC = SignalSpec.of(Signal.NPS_DETRACTOR, "npsDetractor",
                    List.of("maxScore", "resolveAtScore"), ScoreThreshold.class,
                    b -> ScoreThreshold.read(b, Severity.MEDIUM, 6, 7, 0, 10))
            .evidence("score", "userId", "comment");

    private final ScoreThreshold r;
    /** Whether comments and e-mail addresses may reach the alert (rules privacy.includePersonalData). */
    private final boolean personalData;

    public NpsDetractorSignal(Rules rules) {
        this.r = rules.signal(SPEC);
        this.personalData = rules.includePersonalData;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        if (e.type != EventType.FEEDBACK || e.survey != SurveyType.NPS) return;
        FeedbackState f = s.feedback();
        if (f.lastNpsAt != NONE && e.eventTime < f.lastNpsAt) return;
        f.lastNpsAt = e.eventTime;
        f.lastNpsScore = e.score;
        if (!r.enabled) return;
        Map<String, String> ev = Evidence.map();
        ev.put("score", Integer.toString(e.score));
        if (e.userId != null) ev.put("userId", Evidence.userId(e.userId, personalData));
        if (personalData && e.comment != null && !e.comment.isBlank()) ev.put("comment", Evidence.excerpt(e.comment, MAX_COMMENT));
        if (e.score <= r.maxScore) {
            emit.raise(Signal.NPS_DETRACTOR, r.severity, e.eventTime, ev, "A user answered NPS " + e.score + " (a detractor).");
        } else if (e.score >= r.resolveAtScore) {
            emit.resolve(Signal.NPS_DETRACTOR, e.eventTime, ev, "A later NPS answer was " + e.score + ".");
        }
    }
}
