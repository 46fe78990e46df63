package io.churnradar.ingest.formats;

import static io.churnradar.ingest.formats.JsonPayload.at;
import static io.churnradar.ingest.formats.JsonPayload.firstId;
import static io.churnradar.ingest.formats.JsonPayload.id;
import static io.churnradar.ingest.formats.JsonPayload.instant;
import static io.churnradar.ingest.formats.JsonPayload.requiredText;
import static io.churnradar.ingest.formats.JsonPayload.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Zendesk event webhooks of tickets ({@code zen:event-type:ticket.*}): a new ticket is OPENED, a status
 * change RESOLVED, CLOSED, REOPENED or UPDATED, a priority change or a comment UPDATED (RESOLVED or CLOSED
 * when the ticket's {@code detail.status} says it is solved or closed); the ticket's
 * organization is the account. docs/inputs.md has the table.
 */
final class ZendeskMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "zen:event-type:ticket.";
    /** Ticket events that change nothing a churn signal reads; known, so not mistaken for unknown ones. */
    private static final Set<String> QUIET = Set.of("agent_assignment_changed", "attachment_linked_to_comment",
            "attachment_redacted_from_comment", "brand_changed", "comment_made_private", "comment_redacted", "custom_field_changed",
            "custom_status_changed", "description_changed", "external_id_changed", "email_ccs_changed", "followers_changed",
            "form_changed", "group_assignment_changed", "organization_changed", "problem_link_changed", "requester_changed",
            "subject_changed", "submitter_changed", "tags_changed", "task_due_at_changed", "type_changed", "marked_as_spam",
            "merged", "permanently_deleted", "soft_deleted", "undeleted", "ticket_type_changed");

    private final List<String> accountFields;

    ZendeskMapper(List<String> accountFields) {
        this.accountFields = List.copyOf(accountFields);
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        JsonNode n = JsonPayload.object(payload);
        String type = requiredText(n, "type");
        if (!type.startsWith(PREFIX)) {
            throw new InvalidEventException("not a Zendesk ticket event: type '" + type + "' (send zen:event-type:ticket.* events)");
        }
        String change = type.substring(PREFIX.length());
        if (QUIET.contains(change)) return Mapped.skipped(type + ": no status, priority or conversation change");
        if (!Set.of("created", "status_changed", "priority_changed", "comment_added").contains(change)) {
            throw new InvalidEventException("unknown Zendesk ticket event type '" + type + "'");
        }
        JsonNode detail = at(n, "detail");
        if (!detail.isObject()) throw new InvalidEventException("detail is missing or not an object");
        String ticket = id(n, "detail.id");
        if (ticket == null) throw new InvalidEventException("detail.id is missing");
        String account = firstId(n, accountFields);
        if (account == null) {
            throw new InvalidEventException("no account: ticket " + ticket + " has no " + String.join(" or ", accountFields));
        }
        Long time = instant(n, "time");
        if (time == null) throw new InvalidEventException("time is missing");
        String eventId = "zendesk:" + requiredText(n, "id");
        TicketStatus status = switch (change) {
            case "created" -> TicketStatus.OPENED;
            case "status_changed" -> statusChange(text(n, "event.previous"), requiredText(n, "event.current"));
            // A comment or a priority change on a solved or closed ticket leaves it so: an UPDATED would say it is open,
            // and an urgent one would start an aging clock for a ticket nobody works on.
            default -> ended(text(n, "detail.status"));
        };
        AccountEvent e = AccountEvent.of(EventType.SUPPORT_TICKET, eventId, account, time);
        e.ticketId = ticket;
        e.ticketStatus = status;
        e.priority = priority(change.equals("priority_changed") ? requiredText(n, "event.current") : text(n, "detail.priority"));
        e.userId = change.equals("comment_added") ? id(n, "event.comment.author.id") : id(n, "detail.requester_id");
        if (e.userId == null) e.userId = id(n, "detail.requester_id");
        return Mapped.of(e);
    }

    /** Solved is RESOLVED, closed CLOSED; back from either to a working status REOPENED; any other move UPDATED. */
    private static TicketStatus statusChange(String previous, String current) {
        String cur = current.toUpperCase(Locale.ROOT);
        String prev = previous == null ? "" : previous.toUpperCase(Locale.ROOT);
        if (cur.equals("SOLVED")) return TicketStatus.RESOLVED;
        if (cur.equals("CLOSED")) return TicketStatus.CLOSED;
        if (prev.equals("SOLVED") || prev.equals("CLOSED")) return TicketStatus.REOPENED;
        return TicketStatus.UPDATED;
    }

    /** The status a ticket keeps through a change that is not of its status: RESOLVED or CLOSED when it ended, else UPDATED. */
    private static TicketStatus ended(String status) {
        String s = status == null ? "" : status.toUpperCase(Locale.ROOT);
        return s.equals("SOLVED") ? TicketStatus.RESOLVED : s.equals("CLOSED") ? TicketStatus.CLOSED : TicketStatus.UPDATED;
    }

    /** Zendesk's priorities are ours; a ticket without one is NORMAL, as Zendesk treats it. */
    private static TicketPriority priority(String p) throws InvalidEventException {
        if (p == null || p.isBlank()) return TicketPriority.NORMAL;
        try {
            return TicketPriority.valueOf(p.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("priority '" + p + "' is not one of low, normal, high, urgent");
        }
    }
}
