package io.churnradar.webhook;

import io.churnradar.commands.RetentionCommand;

/** The body an endpoint receives: docs/webhooks.md describes both. */
public enum PayloadFormat {
    /** A Slack incoming-webhook message: {@code text} plus Block Kit blocks. */
    SLACK("slack"),
    /** The generic JSON command for automation tools, CRMs and internal services. */
    JSON("json");

    /** As the settings file writes it. */
    public final String key;

    PayloadFormat(String key) {
        this.key = key;
    }

    public byte[] render(RetentionCommand command) {
        return this == SLACK ? SlackPayload.render(command) : JsonPayload.render(command);
    }

    /** @return the format written as {@code key}, or null */
    static PayloadFormat byKey(String key) {
        for (PayloadFormat f : values()) {
            if (f.key.equals(key)) return f;
        }
        return null;
    }
}
