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
 * LOW_CSAT: a CSAT of 2 or less, from a CSAT survey or a support ticket's {@code csat}, at its event
 * time; resolved by a later CSAT of 4 or more (a 3 leaves the episode open). The latest rating counts,
 * from either source; an older one changes nothing. Keeps the latest rating for the health score
 * whether or not the signal is on.
 */
public final class LowCsatSignal implements SignalFamily {
    private static final long serialVersionUID = 1L;

    /** Rules block {@code signals.lowCsat}: CSAT ratings are 1..5. */
    public static final SignalSpec<ScoreThreshold> SPEC = SignalSpec.of(Signal.LOW_CSAT, "lowCsat",
                    List.of("maxScore", "resolveAtScore"), ScoreThreshold.class,
                    b -> ScoreThreshold.read(b, Severity.MEDIUM, 2, 4, 1, 5))
            .evidence("score", "source", "ticketId", "userId", "comment");

    private final ScoreThreshold r;
    /** Whether comments and e-mail addresses may reach the alert (rules privacy.includePersonalData). */
    private final boolean personalData;

    public LowCsatSignal(Rules rules) {
        this.r = rules.signal(SPEC);
        this.personalData = rules.includePersonalData;
    }

    @Override
    public void onEvent(AccountState s, AccountEvent e, Alerting emit) {
        int score;
        Map<String, String> ev = Evidence.map();
        if (e.type == EventType.FEEDBACK && e.survey == SurveyType.CSAT) {
            score = e.score;
            ev.put("source", "survey");
            if (personalData && e.comment != null && !e.comment.isBlank()) ev.put("comment", Evidence.excerpt(e.comment, NpsDetractorSignal.MAX_COMMENT));
        } else if (e.type == EventType.SUPPORT_TICKET && e.csat != null) {
            score = e.csat;
            ev.put("source", "ticket");
            ev.put("ticketId", String.valueOf(e.ticketId));
        } else {
            return;
        }
        FeedbackState f = s.feedback();
        if (f.lastCsatAt != NONE && e.eventTime < f.lastCsatAt) return;
        f.lastCsatAt = e.eventTime;
        f.lastCsatScore = score;
        if (!r.enabled) return;
        ev.put("score", Integer.toString(score));
        if (e.userId != null) ev.put("userId", Evidence.userId(e.userId, personalData));
        if (score <= r.maxScore) {
            emit.raise(Signal.LOW_CSAT, r.severity, e.eventTime, ev, "A customer rated satisfaction " + score + " out of 5.");
        } else if (score >= r.resolveAtScore) {
            emit.resolve(Signal.LOW_CSAT, e.eventTime, ev, "A later satisfaction rating was " + score + " out of 5.");
        }
    }
}
