package io.churnradar.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.commands.RetentionCommand;
import java.util.Map;
import java.util.TreeMap;

/** A retention command as one JSON line; instants as ISO-8601 UTC, params sorted for stable output. */
public final class CommandJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandJson() {}

    public static String toJson(RetentionCommand c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("commandId", c.getCommandId());
        n.put("accountId", c.getAccountId());
        n.put("action", c.getAction());
        n.put("customerFacing", c.getCustomerFacing());
        ObjectNode params = n.putObject("params");
        for (Map.Entry<String, String> e : new TreeMap<>(c.getParams()).entrySet()) params.put(e.getKey(), e.getValue());
        ObjectNode reason = n.putObject("reason");
        reason.put("alertId", c.getReason().getAlertId());
        reason.put("signal", c.getReason().getSignal());
        reason.put("severity", c.getReason().getSeverity());
        reason.put("playbook", c.getReason().getPlaybook());
        reason.put("step", c.getReason().getStep());
        n.put("issuedAt", c.getIssuedAt().toString());
        n.put("disposition", c.getDisposition().name());
        if (c.getDispositionReason() != null) n.put("dispositionReason", c.getDispositionReason());
        n.put("ruleVersion", c.getRuleVersion());
        return n.toString();
    }
}
