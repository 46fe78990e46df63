package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Zendesk ticket event webhooks (the shapes of Zendesk's webhook event type reference), field by field. */
class ZendeskFormatTest {
    private static final PayloadMapper ZENDESK = InputFormat.ZENDESK.mapper(null, FormatOptions.defaults());

    private static AccountEvent one(String fixture) throws InvalidEventException {
        List<AccountEvent> events = Payloads.events(ZENDESK, Payloads.bytes("zendesk", fixture), UserLinks.NONE);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void aNewTicketIsOpenedForItsOrganization() throws Exception {
        AccountEvent e = one("ticket.created.json");
        assertThat(e.type).isEqualTo(EventType.SUPPORT_TICKET);
        assertThat(e.eventId).isEqualTo("zendesk:cbe4028c-7239-495d-b020-f22348516046");
        assertThat(e.accountId).isEqualTo("8447346622462");
        assertThat(e.ticketId).isEqualTo("5158");
        assertThat(e.ticketStatus).isEqualTo(TicketStatus.OPENED);
        assertThat(e.priority).isEqualTo(TicketPriority.URGENT);
        assertThat(e.userId).isEqualTo("8447388090494");
        assertThat(e.eventTime).isEqualTo(Instant.parse("2026-03-02T10:15:00.672Z").toEpochMilli());
        assertThat(e.csat).isNull();
    }

    @Test
    void solvedIsResolvedAndReopeningIsReopened() throws Exception {
        AccountEvent solved = one("ticket.status_changed.json");
        assertThat(solved.ticketStatus).isEqualTo(TicketStatus.RESOLVED);
        String reopened = Payloads.text("zendesk", "ticket.status_changed.json")
                .replace("\"current\": \"SOLVED\"", "\"current\": \"OPEN\"").replace("\"previous\": \"OPEN\"", "\"previous\": \"SOLVED\"");
        assertThat(Payloads.events(ZENDESK, Payloads.utf8(reopened), UserLinks.NONE).get(0).ticketStatus).isEqualTo(TicketStatus.REOPENED);
        String closed = Payloads.text("zendesk", "ticket.status_changed.json").replace("\"current\": \"SOLVED\"", "\"current\": \"CLOSED\"");
        assertThat(Payloads.events(ZENDESK, Payloads.utf8(closed), UserLinks.NONE).get(0).ticketStatus).isEqualTo(TicketStatus.CLOSED);
        String pending = Payloads.text("zendesk", "ticket.status_changed.json").replace("\"current\": \"SOLVED\"", "\"current\": \"PENDING\"");
        assertThat(Payloads.events(ZENDESK, Payloads.utf8(pending), UserLinks.NONE).get(0).ticketStatus).isEqualTo(TicketStatus.UPDATED);
    }

    @Test
    void aPriorityChangeAndACommentAreUpdates() throws Exception {
        AccountEvent lowered = one("ticket.priority_changed.json");
        assertThat(lowered.ticketStatus).isEqualTo(TicketStatus.UPDATED);
        assertThat(lowered.priority).isEqualTo(TicketPriority.LOW);
        AccountEvent comment = one("ticket.comment_added.json");
        assertThat(comment.ticketStatus).isEqualTo(TicketStatus.UPDATED);
        assertThat(comment.priority).isEqualTo(TicketPriority.URGENT);
        assertThat(comment.userId).isEqualTo("8447388090494");
        // On a solved or closed ticket it stays so: an UPDATED would start an urgent ticket's aging clock again.
        String onSolved = Payloads.text("zendesk", "ticket.comment_added.json").replace("\"status\": \"OPEN\"", "\"status\": \"SOLVED\"");
        assertThat(Payloads.events(ZENDESK, Payloads.utf8(onSolved), UserLinks.NONE).get(0).ticketStatus).isEqualTo(TicketStatus.RESOLVED);
        String onClosed = Payloads.text("zendesk", "ticket.comment_added.json").replace("\"status\": \"OPEN\"", "\"status\": \"CLOSED\"");
        assertThat(Payloads.events(ZENDESK, Payloads.utf8(onClosed), UserLinks.NONE).get(0).ticketStatus).isEqualTo(TicketStatus.CLOSED);
    }

    @Test
    void ticketEventsThatChangeNothingWeReadAreSkipped() throws Exception {
        String tags = Payloads.text("zendesk", "ticket.created.json").replace("ticket.created", "ticket.tags_changed");
        assertThat(ZENDESK.map(Payloads.utf8(tags)).skipped).contains("tags_changed");
    }

    @Test
    void hostileEventsAreRejectedWithReasons() {
        String created = Payloads.text("zendesk", "ticket.created.json");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8(created.replace("\"organization_id\": \"8447346622462\"", "\"organization_id\": null"))))
                .isInstanceOf(InvalidEventException.class).hasMessage("no account: ticket 5158 has no detail.organization_id");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8(created.replace("ticket.created", "ticket.exploded"))))
                .hasMessage("unknown Zendesk ticket event type 'zen:event-type:ticket.exploded'");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8(created.replace("zen:event-type:ticket.created", "zen:event-type:user.created"))))
                .hasMessageStartingWith("not a Zendesk ticket event");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8(created.replace("\"priority\": \"URGENT\"", "\"priority\": \"ASAP\""))))
                .hasMessage("priority 'ASAP' is not one of low, normal, high, urgent");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8(created.replace("\"id\": \"5158\"", "\"id\": [5158]"))))
                .hasMessage("detail.id must be a string or a whole number, got [5158]");
        assertThatThrownBy(() -> ZENDESK.map(Payloads.utf8("{\"type\":\"zen:event-type:ticket.created\",\"id\":\"x\"}")))
                .hasMessage("detail is missing or not an object");
    }
}
