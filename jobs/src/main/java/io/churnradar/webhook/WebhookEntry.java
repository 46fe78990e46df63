package io.churnradar.webhook;

import java.io.Serializable;

/**
 * One command waiting for its endpoint: what the sink buffers and keeps in its checkpointed state.
 * The command travels as its Avro single-object encoding, the very bytes a dead letter carries;
 * the body is rendered from it for each attempt, so the state stays one copy of the command.
 */
public final class WebhookEntry implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The endpoint's name when the command was queued. */
    public final String endpoint;
    public final String commandId;
    public final String action;
    public final String accountId;
    /** The command, Avro single-object encoded. */
    public final byte[] command;

    public WebhookEntry(String endpoint, String commandId, String action, String accountId, byte[] command) {
        this.endpoint = endpoint;
        this.commandId = commandId;
        this.action = action;
        this.accountId = accountId;
        this.command = command;
    }

    long sizeInBytes() {
        return command.length + 2L * (endpoint.length() + commandId.length() + action.length() + accountId.length());
    }

    @Override
    public String toString() {
        return action + " " + commandId + " to " + endpoint;
    }
}
