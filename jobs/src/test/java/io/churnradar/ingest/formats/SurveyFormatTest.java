package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.SurveyType;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Survey webhooks: Typeform (complete), Delighted, and SurveyMonkey's answerless notification, field by field. */
class SurveyFormatTest {
    private static final PayloadMapper SURVEY = InputFormat.SURVEY.mapper(null, FormatOptions.defaults());

    private static AccountEvent one(String fixture) throws InvalidEventException {
        return Payloads.events(SURVEY, Payloads.bytes("survey", fixture), UserLinks.NONE).get(0);
    }

    @Test
    void aTypeformNpsAnswerWithItsReasonAndTheHiddenAccount() throws Exception {
        AccountEvent e = one("typeform-nps.json");
        assertThat(e.type).isEqualTo(EventType.FEEDBACK);
        assertThat(e.eventId).isEqualTo("typeform:a3a12ec67a1365927098a606107fac15");
        assertThat(e.accountId).isEqualTo("acme");
        assertThat(e.userId).isEqualTo("abc123456");
        assertThat(e.survey).isEqualTo(SurveyType.NPS);
        assertThat(e.score).isEqualTo(4);
        assertThat(e.comment).isEqualTo("Exports keep failing and support is slow.");
        assertThat(e.eventTime).isEqualTo(Instant.parse("2026-03-02T10:15:00Z").toEpochMilli());
    }

    @Test
    void aTypeformFiveStarRatingIsCsat() throws Exception {
        AccountEvent e = one("typeform-csat.json");
        assertThat(e.survey).isEqualTo(SurveyType.CSAT);
        assertThat(e.score).isEqualTo(2);
        assertThat(e.comment).isNull();
    }

    /** A five-step opinion scale set to start at 0 answers 0..4: shifted to CSAT 1..5, not refused as out of range. */
    @Test
    void aTypeformOpinionScaleStartingAtZeroIsShiftedToCsatOneToFive() throws Exception {
        String json = Payloads.text("survey", "typeform-csat.json")
                .replace("\"type\": \"rating\", \"ref\": \"readable_ref_rating\", \"properties\": {\"steps\": 5, \"shape\": \"star\"}",
                        "\"type\": \"opinion_scale\", \"ref\": \"readable_ref_rating\", \"properties\": {\"steps\": 5, \"start_at_one\": false}")
                .replace("\"number\": 2, \"field\": {\"id\": \"WOTdC00F8A3h\", \"type\": \"rating\"",
                        "\"number\": 0, \"field\": {\"id\": \"WOTdC00F8A3h\", \"type\": \"opinion_scale\"");
        assertThat(json).contains("start_at_one").contains("\"number\": 0");
        AccountEvent e = Payloads.events(SURVEY, Payloads.utf8(json), UserLinks.NONE).get(0);
        assertThat(e.survey).isEqualTo(SurveyType.CSAT);
        assertThat(e.score).isEqualTo(1);
    }

    @Test
    void aDelightedNpsResponseWithThePersonPropertyAccount() throws Exception {
        AccountEvent e = one("delighted-nps.json");
        assertThat(e.eventId).isEqualTo("delighted:5435:9");
        assertThat(e.accountId).isEqualTo("initech");
        assertThat(e.userId).isEqualTo("5");
        assertThat(e.survey).isEqualTo(SurveyType.NPS);
        assertThat(e.score).isEqualTo(9);
        assertThat(e.comment).isEqualTo("I love this!");
        assertThat(e.eventTime).isEqualTo(Instant.parse("2026-03-02T10:15:00Z").toEpochMilli());
        // An update that keeps the score is the same answer; one that changes it is a new one.
        String updated = Payloads.text("survey", "delighted-nps.json").replace("survey_response.created", "survey_response.updated")
                .replace("\"updated_at\": null", "\"updated_at\": 1772533800");
        assertThat(Payloads.events(SURVEY, Payloads.utf8(updated), UserLinks.NONE).get(0).eventId).isEqualTo("delighted:5435:9");
        AccountEvent rescored = Payloads.events(SURVEY, Payloads.utf8(updated.replace("\"score\": 9", "\"score\": 3")), UserLinks.NONE).get(0);
        assertThat(rescored.eventId).isEqualTo("delighted:5435:3");
        assertThat(rescored.eventTime).isEqualTo(1772533800_000L);
        String ces = Payloads.text("survey", "delighted-nps.json").replace("\"survey_type\": \"nps\"", "\"survey_type\": \"ces\"");
        assertThat(SURVEY.map(Payloads.utf8(ces)).skipped).contains("neither NPS nor CSAT");
        // Upper case, as a relay may write it: the same NPS survey, not skipped.
        String upper = Payloads.text("survey", "delighted-nps.json").replace("\"survey_type\": \"nps\"", "\"survey_type\": \"NPS\"");
        assertThat(Payloads.events(SURVEY, Payloads.utf8(upper), UserLinks.NONE).get(0).survey).isEqualTo(io.churnradar.events.SurveyType.NPS);
    }

    @Test
    void theAccountKeyIsConfigurable() throws Exception {
        FormatOptions o = FormatOptions.defaults();
        o.surveyAccountKey = "user_id";
        assertThat(Payloads.events(InputFormat.SURVEY.mapper(null, o), Payloads.bytes("survey", "typeform-nps.json"), UserLinks.NONE)
                .get(0).accountId).isEqualTo("abc123456");
    }

    @Test
    void hostileAndAnswerlessResponsesAreRejectedWithReasons() {
        assertThatThrownBy(() -> SURVEY.map(Payloads.bytes("survey", "surveymonkey-response-completed.json")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("SurveyMonkey webhook response_completed for response 987654321 carries no answers");
        String nps = Payloads.text("survey", "typeform-nps.json");
        assertThatThrownBy(() -> SURVEY.map(Payloads.utf8(nps.replace("\"account_id\": \"acme\"", "\"account\": \"acme\""))))
                .hasMessage("no account: form_response.hidden.account_id is missing");
        assertThatThrownBy(() -> SURVEY.map(Payloads.utf8(nps.replace("\"number\": 4", "\"number\": 12"))))
                .hasMessage("a NPS score must be 0..10, got 12");
        assertThatThrownBy(() -> SURVEY.map(Payloads.utf8(nps.replace("\"type\": \"nps\"", "\"type\": \"number\""))))
                .hasMessage("no NPS, rating or 1..5 opinion scale answer in the response");
        String delighted = Payloads.text("survey", "delighted-nps.json");
        assertThatThrownBy(() -> SURVEY.map(Payloads.utf8(delighted.replace("\"score\": 9", "\"score\": \"9\""))))
                .hasMessage("score must be a whole number, got \"9\"");
        assertThatThrownBy(() -> SURVEY.map(Payloads.utf8("{\"event_type\":\"ping\"}")))
                .hasMessageStartingWith("not a survey response of Typeform");
    }
}
