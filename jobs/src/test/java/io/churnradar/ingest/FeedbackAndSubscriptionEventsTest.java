package io.churnradar.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.FeedbackEvent;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.SurveyType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The two event types added after version 1, from Kafka (Avro) and from JSON Lines, valid and not. */
class FeedbackAndSubscriptionEventsTest {
    private static final Instant T = Instant.parse("2026-05-02T11:00:00Z");
    private final AvroEvents avro = new AvroEvents();

    private static FeedbackEvent.Builder nps(int score) {
        return FeedbackEvent.newBuilder().setEventId("f1").setAccountId("acme").setEventTime(T).setSurvey(SurveyType.NPS).setScore(score);
    }

    @Test
    void feedbackRoundTripsThroughAvro() throws Exception {
        AccountEvent e = avro.decode(EventType.FEEDBACK, AvroEvents.encode(nps(3).setComment("too slow").build()));
        assertThat(e.type).isEqualTo(EventType.FEEDBACK);
        assertThat(e.survey).isEqualTo(SurveyType.NPS);
        assertThat(e.score).isEqualTo(3);
        assertThat(e.comment).isEqualTo("too slow");
    }

    @Test
    void subscriptionRoundTripsThroughAvro() throws Exception {
        SubscriptionEvent r = SubscriptionEvent.newBuilder().setEventId("s1").setAccountId("acme").setEventTime(T)
                .setAction(SubscriptionAction.PLAN_CHANGED).setPlan("team").setMrrMinor(7000L).setSeats(12)
                .setRenewalDate("2026-09-30").build();
        AccountEvent e = avro.decode(EventType.SUBSCRIPTION, AvroEvents.encode(r));
        assertThat(e.action).isEqualTo(SubscriptionAction.PLAN_CHANGED);
        assertThat(e.plan).isEqualTo("team");
        assertThat(e.mrrMinor).isEqualTo(7000L);
        assertThat(e.seats).isEqualTo(12);
        assertThat(e.renewalDate).isEqualTo("2026-09-30");
    }

    @Test
    void scoresOutsideTheirSurveyScaleAreRejected() {
        assertThatThrownBy(() -> avro.decode(EventType.FEEDBACK, AvroEvents.encode(nps(11).build())))
                .isInstanceOf(InvalidEventException.class).hasMessage("an NPS score must be 0..10, got 11");
        assertThatThrownBy(() -> avro.decode(EventType.FEEDBACK,
                AvroEvents.encode(nps(0).setSurvey(SurveyType.CSAT).build())))
                .isInstanceOf(InvalidEventException.class).hasMessage("a CSAT score must be 1..5, got 0");
    }

    @Test
    void aFeedbackRecordOnTheSubscriptionTopicIsRejected() {
        assertThatThrownBy(() -> avro.decode(EventType.SUBSCRIPTION, AvroEvents.encode(nps(9).build())))
                .isInstanceOf(InvalidEventException.class).hasMessageStartingWith("unknown schema fingerprint for subscription events");
    }

    @Test
    void jsonLinesOfBothTypesParse() throws Exception {
        AccountEvent f = JsonEventParser.parse(
                "{\"type\":\"feedback\",\"eventId\":\"f2\",\"accountId\":\"acme\",\"eventTime\":\"2026-05-02T11:00:00Z\",\"survey\":\"CSAT\",\"score\":2}");
        assertThat(f.survey).isEqualTo(SurveyType.CSAT);
        assertThat(f.score).isEqualTo(2);
        AccountEvent s = JsonEventParser.parse(
                "{\"type\":\"subscription\",\"eventId\":\"s2\",\"accountId\":\"acme\",\"eventTime\":1777719600000,\"action\":\"CANCELED\",\"reason\":\"too_expensive\"}");
        assertThat(s.action).isEqualTo(SubscriptionAction.CANCELED);
        assertThat(s.reason).isEqualTo("too_expensive");
        assertThat(s.mrrMinor).isNull();
    }

    @Test
    void badSubscriptionLinesSayWhy() {
        assertThatThrownBy(() -> JsonEventParser.parse(
                "{\"type\":\"subscription\",\"eventId\":\"s3\",\"accountId\":\"acme\",\"eventTime\":1777719600000,\"action\":\"RENEWED\",\"renewalDate\":\"30/09/2026\"}"))
                .isInstanceOf(InvalidEventException.class).hasMessage("renewalDate must be YYYY-MM-DD, got 30/09/2026");
        assertThatThrownBy(() -> JsonEventParser.parse(
                "{\"type\":\"subscription\",\"eventId\":\"s4\",\"accountId\":\"acme\",\"eventTime\":1777719600000,\"action\":\"RENEWED\",\"mrrMinor\":-5}"))
                .isInstanceOf(InvalidEventException.class).hasMessage("mrrMinor must be >= 0, got -5");
    }
}
