package io.churnradar.ingest.formats;

import static io.churnradar.ingest.formats.JsonPayload.firstId;
import static io.churnradar.ingest.formats.JsonPayload.id;
import static io.churnradar.ingest.formats.JsonPayload.instant;
import static io.churnradar.ingest.formats.JsonPayload.requiredText;
import static io.churnradar.ingest.formats.JsonPayload.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import java.util.List;

/**
 * Segment Spec calls (RudderStack sends the same): {@code track} calls of the B2B SaaS spec become
 * logins and lifecycle events, every other track call is usage of a feature named by the event;
 * {@code group} calls, and any call that names both its user and its account, link the user to the
 * account for that user's later calls that name none. docs/inputs.md has the table.
 */
final class SegmentMapper implements PayloadMapper {
    private static final long serialVersionUID = 1L;

    private final List<String> accountFields;

    SegmentMapper(List<String> accountFields) {
        this.accountFields = List.copyOf(accountFields);
    }

    @Override
    public boolean learnsUserLinks() {
        return true;
    }

    @Override
    public Mapped map(byte[] payload) throws InvalidEventException {
        JsonNode n = JsonPayload.object(payload);
        String type = requiredText(n, "type");
        String user = id(n, "userId");
        String account = firstId(n, accountFields);
        Long time = firstTime(n);
        switch (type) {
            case "group" -> {
                String group = id(n, "groupId");
                if (user == null) return Mapped.skipped("group call without userId: no user to link to account " + group);
                if (group == null) throw new InvalidEventException("group call without groupId");
                if (time == null) throw new InvalidEventException("timestamp is missing");
                return Mapped.of().withLink(user, group, time);
            }
            case "identify" -> {
                if (user != null && account != null && time != null) return Mapped.of().withLink(user, account, time);
                return Mapped.skipped("identify call: user traits carry no churn signal");
            }
            case "page", "screen", "alias" -> {
                return Mapped.skipped(type + " call: not feature use; product use comes from track calls");
            }
            case "track" -> {
                // handled below
            }
            default -> throw new InvalidEventException("unknown Segment call type '" + type + "'; allowed: track, identify, group, page, screen, alias");
        }
        String event = requiredText(n, "event");
        String messageId = requiredText(n, "messageId");
        if (time == null) throw new InvalidEventException("timestamp is missing");
        if (account == null && user == null) {
            throw new InvalidEventException("no account: the call has no " + String.join(" or ", accountFields) + " and no userId");
        }
        String eventId = "segment:" + messageId;
        AccountEvent e;
        switch (event) {
            case "Signed In" -> e = AccountEvent.of(EventType.LOGIN, eventId, account, time);
            case "Account Created", "Trial Started" -> {
                e = AccountEvent.of(EventType.SUBSCRIPTION, eventId, account, time);
                e.action = SubscriptionAction.STARTED;
                e.plan = firstText(n, "properties.trial_plan_name", "properties.plan", "properties.plan_name");
                if (event.equals("Trial Started")) e.renewalDate = date(n, "properties.trial_end_date");
            }
            case "Account Deleted" -> {
                e = AccountEvent.of(EventType.SUBSCRIPTION, eventId, account, time);
                e.action = SubscriptionAction.CANCELED;
                e.reason = "account_deleted";
            }
            case "Signed Out", "Signed Up", "Trial Ended", "Account Removed User" -> {
                return Mapped.skipped("track '" + event + "': not feature use, and no lifecycle change we can tell"
                        + (event.equals("Trial Ended") ? " (whether the trial converted comes from billing)" : ""));
            }
            default -> {
                // Account Added User, Invite Sent, Report Built, ...: using the product.
                e = AccountEvent.of(EventType.USAGE, eventId, account, time);
                e.feature = event;
                e.quantity = 1;
            }
        }
        e.userId = user;
        return Mapped.of(e).withLink(account == null ? null : user, account, time);
    }

    /** The call's time: {@code timestamp}, else when it was sent or received. */
    private static Long firstTime(JsonNode n) throws InvalidEventException {
        for (String f : new String[] {"timestamp", "originalTimestamp", "sentAt", "receivedAt"}) {
            Long t = instant(n, f);
            if (t != null) return t;
        }
        return null;
    }

    private static String firstText(JsonNode n, String... paths) throws InvalidEventException {
        for (String p : paths) {
            String v = text(n, p);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    private static String date(JsonNode n, String path) throws InvalidEventException {
        // A plain date (2026-03-15) is what a trial's end often is; an instant gives its UTC day.
        String plain = text(n, path);
        if (plain != null && plain.matches("\\d{4}-\\d{2}-\\d{2}")) {
            try {
                return java.time.LocalDate.parse(plain).toString();
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidEventException(path + " '" + plain + "' is not a date such as 2026-03-15");
            }
        }
        Long t = instant(n, path);
        return t == null ? null : java.time.Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
    }
}
