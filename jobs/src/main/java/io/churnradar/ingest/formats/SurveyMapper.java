package io.churnradar.ingest.formats;

import static io.churnradar.ingest.formats.JsonPayload.at;
import static io.churnradar.ingest.formats.JsonPayload.epochSeconds;
import static io.churnradar.ingest.formats.JsonPayload.id;
import static io.churnradar.ingest.formats.JsonPayload.instant;
import static io.churnradar.ingest.formats.JsonPayload.requiredText;
import static io.churnradar.ingest.formats.JsonPayload.text;
import static io.churnradar.ingest.formats.JsonPayload.whole;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.events.SurveyType;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;

/**
 * NPS and CSAT answers as survey tools post them, the tool told apart by the payload's shape:
 * Typeform ({@code event_type: form_response}), Delighted ({@code survey_response.*}) and SurveyMonkey
 * (whose webhook names the response but carries no answers, so it is rejected with that reason).
 * The account comes from a hidden field (Typeform) or person property (Delighted) named by the
 * {@code accountKey} setting. docs/inputs.md has the tables.
 */
final class SurveyMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;

    private final String accountKey;

    SurveyMapper(String accountKey) {
        this.accountKey = accountKey;
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        JsonNode n = JsonPayload.object(payload);
        String type = text(n, "event_type");
        if ("form_response".equals(type)) return typeform(n);
        if (type != null && type.startsWith("survey_response.")) return delighted(n, type);
        if (type != null && type.startsWith("response_") && n.has("object_id")) {
            throw new InvalidEventException("SurveyMonkey webhook " + type + " for response " + text(n, "object_id")
                    + " carries no answers: post the response's details (GET /v3/surveys/{id}/responses/{id}/details) instead");
        }
        throw new InvalidEventException("not a survey response of Typeform (event_type form_response) or Delighted"
                + " (event_type survey_response.*): event_type is " + (type == null ? "missing" : "'" + type + "'"));
    }

    /**
     * Typeform: the first answer to an NPS question (0..10) is NPS; else the first rating or opinion
     * scale of at most 5 steps is CSAT; the first long or short text answer is the comment.
     */
    private Mapped typeform(JsonNode n) throws InvalidEventException {
        JsonNode r = at(n, "form_response");
        if (!r.isObject()) throw new InvalidEventException("form_response is missing or not an object");
        String account = id(r, "hidden." + accountKey);
        if (account == null) throw new InvalidEventException("no account: form_response.hidden." + accountKey + " is missing");
        JsonNode answers = r.path("answers");
        if (!answers.isArray()) throw new InvalidEventException("form_response.answers is missing or not a list");
        JsonNode fields = at(r, "definition.fields");
        SurveyType survey = null;
        Long score = null;
        String comment = null;
        for (JsonNode a : answers) {
            String fieldType = fieldType(a, fields);
            if (score == null && a.path("number").isIntegralNumber()) {
                if ("nps".equals(fieldType)) {
                    survey = SurveyType.NPS;
                    score = a.get("number").asLong();
                } else if (("rating".equals(fieldType) || "opinion_scale".equals(fieldType)) && steps(a, fields) <= 5) {
                    survey = SurveyType.CSAT;
                    score = a.get("number").asLong();
                    // An opinion scale set to start at 0 answers 0..4 for the 1..5 of one that starts at 1.
                    if ("opinion_scale".equals(fieldType) && startsAtZero(a, fields)) score = score + 1;
                }
            }
            if (comment == null && ("long_text".equals(fieldType) || "short_text".equals(fieldType)) && a.path("text").isTextual()) {
                comment = a.get("text").asText();
            }
        }
        if (score == null) throw new InvalidEventException("no NPS, rating or 1..5 opinion scale answer in the response");
        Long time = instant(r, "submitted_at");
        if (time == null) throw new InvalidEventException("form_response.submitted_at is missing");
        String token = requiredText(r, "token");
        return Mapped.of(feedback("typeform:" + token, account, time, survey, score, comment, id(r, "hidden.user_id")));
    }

    private static String fieldType(JsonNode answer, JsonNode fields) {
        String ref = answer.path("field").path("id").asText(null);
        if (fields.isArray() && ref != null) {
            for (JsonNode f : fields) {
                if (ref.equals(f.path("id").asText())) return f.path("type").asText(null);
            }
        }
        return answer.path("field").path("type").asText(null);
    }

    /** Whether the answer's field is an opinion scale whose form says {@code start_at_one: false}. */
    private static boolean startsAtZero(JsonNode answer, JsonNode fields) {
        String ref = answer.path("field").path("id").asText(null);
        if (!fields.isArray() || ref == null) return false;
        for (JsonNode f : fields) {
            if (ref.equals(f.path("id").asText())) {
                JsonNode one = f.path("properties").path("start_at_one");
                return one.isBoolean() && !one.asBoolean();
            }
        }
        return false;
    }

    /** The steps of a rating or opinion scale; Typeform's defaults are 5 for a rating and 11 (0..10) for a scale. */
    private static long steps(JsonNode answer, JsonNode fields) {
        String ref = answer.path("field").path("id").asText(null);
        if (fields.isArray() && ref != null) {
            for (JsonNode f : fields) {
                if (ref.equals(f.path("id").asText()) && f.path("properties").path("steps").isIntegralNumber()) {
                    return f.path("properties").path("steps").asLong();
                }
            }
        }
        return "rating".equals(fieldType(answer, fields)) ? 5 : 11;
    }

    /** Delighted: {@code survey_type} nps is NPS; csat and 5star are CSAT; the others measure something else. */
    private Mapped delighted(JsonNode n, String type) throws InvalidEventException {
        JsonNode d = at(n, "event_data");
        if (!d.isObject()) throw new InvalidEventException("event_data is missing or not an object");
        String surveyType = text(d, "survey_type");
        // Delighted writes them in lower case; an export or a relay that upper-cases them means the same survey.
        String kind = surveyType == null ? null : surveyType.toLowerCase(java.util.Locale.ROOT);
        SurveyType survey = kind == null || kind.equals("nps") ? SurveyType.NPS
                : kind.equals("csat") || kind.equals("5star") ? SurveyType.CSAT : null;
        if (survey == null) return Mapped.skipped("Delighted " + surveyType + " survey: neither NPS nor CSAT");
        String account = id(d, "person_properties." + accountKey);
        if (account == null) account = id(d, "person.properties." + accountKey);
        if (account == null) throw new InvalidEventException("no account: event_data.person_properties." + accountKey + " is missing");
        Long score = whole(d, "score");
        if (score == null) throw new InvalidEventException("event_data.score is missing");
        Long time = epochSeconds(d, type.equals("survey_response.updated") ? "updated_at" : "created_at");
        if (time == null) time = epochSeconds(d, "created_at");
        if (time == null) throw new InvalidEventException("event_data.created_at is missing");
        String responseId = id(d, "id");
        if (responseId == null) throw new InvalidEventException("event_data.id is missing");
        // The id carries the score: an update that adds a comment is the same answer, counted once, and one that changes
        // the score is a new answer, which may resolve a detractor.
        return Mapped.of(feedback("delighted:" + responseId + ":" + score, account, time, survey, score, text(d, "comment"),
                id(d, "person.id")));
    }

    private static AccountEvent feedback(String eventId, String account, long time, SurveyType survey, long score, String comment,
            String user) throws InvalidEventException {
        long min = survey == SurveyType.NPS ? 0 : 1;
        long max = survey == SurveyType.NPS ? 10 : 5;
        if (score < min || score > max) throw new InvalidEventException("a " + survey + " score must be " + min + ".." + max + ", got " + score);
        AccountEvent e = AccountEvent.of(EventType.FEEDBACK, eventId, account, time);
        e.survey = survey;
        e.score = (int) score;
        e.comment = comment;
        e.userId = user;
        return e;
    }
}
