package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Segment Spec calls (the spec's examples and its B2B SaaS events), field by field, and the user links of group calls. */
class SegmentFormatTest {
    private static final PayloadMapper SEGMENT = InputFormat.SEGMENT.mapper(null, FormatOptions.defaults());

    private static AccountEvent one(String fixture, UserLinks links) throws InvalidEventException {
        List<AccountEvent> events = Payloads.events(SEGMENT, Payloads.bytes("segment", fixture), links);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void signedInIsALoginOfTheContextsGroup() throws Exception {
        AccountEvent e = one("signed-in.json", UserLinks.NONE);
        assertThat(e.type).isEqualTo(EventType.LOGIN);
        assertThat(e.eventId).isEqualTo("segment:ajs-next-1772446500-signed-in");
        assertThat(e.accountId).isEqualTo("initech");
        assertThat(e.userId).isEqualTo("019mr8mf4r");
        assertThat(e.eventTime).isEqualTo(Instant.parse("2026-03-02T10:15:00Z").toEpochMilli());
    }

    @Test
    void accountCreatedAndTrialStartedStartTheSubscription() throws Exception {
        AccountEvent created = one("account-created.json", UserLinks.NONE);
        assertThat(created.type).isEqualTo(EventType.SUBSCRIPTION);
        assertThat(created.action).isEqualTo(SubscriptionAction.STARTED);
        AccountEvent trial = one("trial-started.json", UserLinks.NONE);
        assertThat(trial.action).isEqualTo(SubscriptionAction.STARTED);
        assertThat(trial.plan).isEqualTo("premium");
        assertThat(trial.renewalDate).isEqualTo("2026-03-15");
        String plainDate = Payloads.text("segment", "trial-started.json").replace("\"trial_end_date\": \"2026-03-15T10:01:00.000Z\"",
                "\"trial_end_date\": \"2026-03-16\"");
        assertThat(Payloads.events(InputFormat.SEGMENT.mapper(null, FormatOptions.defaults()), Payloads.utf8(plainDate), UserLinks.NONE)
                .get(0).renewalDate).isEqualTo("2026-03-16");
    }

    @Test
    void everyOtherTrackCallIsUseOfTheFeatureItNames() throws Exception {
        AccountEvent added = one("account-added-user.json", UserLinks.NONE);
        assertThat(added.type).isEqualTo(EventType.USAGE);
        assertThat(added.feature).isEqualTo("Account Added User");
        assertThat(added.quantity).isEqualTo(1.0);
    }

    @Test
    void aCallWithoutAccountTakesTheAccountItsUserWasGroupedInto() throws Exception {
        UserLinks links = UserLinks.inMemory();
        assertThatThrownBy(() -> one("track.json", links))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("no account: the payload names none, and user 97980cfea0067 has not been linked to an account"
                        + " (by a group call) before it");
        Mapped group = SEGMENT.map(Payloads.bytes("segment", "group.json"));
        assertThat(group.events).isEmpty();
        assertThat(group.linkUser).isEqualTo("97980cfea0067");
        assertThat(group.linkAccount).isEqualTo("0e8c78ea9d97a7b8185e8632");
        group.resolve(links);
        AccountEvent e = one("track.json", links);
        assertThat(e.accountId).isEqualTo("0e8c78ea9d97a7b8185e8632");
        assertThat(e.feature).isEqualTo("Course Clicked");
        assertThat(e.eventId).isEqualTo("segment:ajs-f8ca1e4de5024d9430b3928bd8ac6b96");
        assertThat(e.eventTime).isEqualTo(Instant.parse("2026-03-02T10:15:01.249Z").toEpochMilli());
    }

    @Test
    void aCallThatNamesUserAndAccountLinksThemToo() throws Exception {
        UserLinks links = UserLinks.inMemory();
        one("signed-in.json", links);
        assertThat(links.accountOf("019mr8mf4r")).isEqualTo("initech");
    }

    @Test
    void theAccountFieldIsConfigurable() throws Exception {
        FormatOptions o = FormatOptions.defaults();
        o.segmentAccountFields = List.of("properties.title");
        List<AccountEvent> e = Payloads.events(InputFormat.SEGMENT.mapper(null, o), Payloads.bytes("segment", "track.json"), UserLinks.NONE);
        assertThat(e.get(0).accountId).isEqualTo("Intro to Analytics");
    }

    @Test
    void identifyPageAndScreenCarryNoSignal() throws Exception {
        assertThat(SEGMENT.map(Payloads.bytes("segment", "identify.json")).skipped).startsWith("identify call");
        assertThat(SEGMENT.map(Payloads.bytes("segment", "page.json")).skipped).startsWith("page call: not feature use");
    }

    @Test
    void hostileCallsAreRejectedWithReasons() {
        String track = Payloads.text("segment", "track.json");
        assertThatThrownBy(() -> SEGMENT.map(Payloads.utf8(track.replace("\"type\": \"track\"", "\"type\": \"batch\""))))
                .hasMessageStartingWith("unknown Segment call type 'batch'");
        assertThatThrownBy(() -> SEGMENT.map(Payloads.utf8(track.replace("\"event\": \"Course Clicked\"", "\"event\": 42"))))
                .hasMessage("event must be a string, got 42");
        assertThatThrownBy(() -> SEGMENT.map(Payloads.utf8(track.replace("\"userId\": \"97980cfea0067\"", "\"userId\": null"))))
                .hasMessage("no account: the call has no context.groupId or groupId and no userId");
        assertThatThrownBy(() -> SEGMENT.map(Payloads.utf8(track.replace("2026-03-02T10:15:01.249Z", "noon"))))
                .hasMessageStartingWith("timestamp 'noon' is not an ISO-8601 instant");
    }
}
