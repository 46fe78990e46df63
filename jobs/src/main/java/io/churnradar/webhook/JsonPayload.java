package io.churnradar.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.commands.CommandReason;
import io.churnradar.commands.RetentionCommand;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generic JSON body (docs/webhooks.md, "Generic JSON body"): the command without its
 * disposition (only SEND commands are posted). Keys in a fixed order and params sorted, so that a
 * re-sent command has the very same body.
 */
final class JsonPayload {
    /** Bumped when a field changes meaning or goes away; new fields may appear without a bump. */
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonPayload() {}

    static byte[] render(RetentionCommand c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("commandId", c.getCommandId());
        root.put("accountId", c.getAccountId());
        root.put("action", c.getAction());
        root.put("customerFacing", c.getCustomerFacing());
        ObjectNode params = root.putObject("params");
        for (Map.Entry<String, String> p : new TreeMap<>(c.getParams()).entrySet()) {
            params.put(p.getKey(), p.getValue());
        }
        CommandReason r = c.getReason();
        ObjectNode reason = root.putObject("reason");
        reason.put("alertId", r.getAlertId());
        reason.put("signal", r.getSignal());
        reason.put("severity", r.getSeverity());
        reason.put("playbook", r.getPlaybook());
        reason.put("step", r.getStep());
        root.put("issuedAt", c.getIssuedAt().toString());
        root.put("ruleVersion", c.getRuleVersion());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON body of command " + c.getCommandId(), e);
        }
    }
}
