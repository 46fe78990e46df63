package io.churnradar.backtest.results;

import io.churnradar.commands.RetentionCommand;
import io.churnradar.detect.state.InstantText;
import java.util.Map;
import java.util.TreeMap;

/** A retention command as one JSON line; instants as ISO-8601 UTC, params sorted for stable output. */
public final class CommandJson {
    private CommandJson() {}

    public static String toJson(RetentionCommand c) {
        return JsonLine.object(n -> {
            n.put("commandId", c.getCommandId());
            n.put("accountId", c.getAccountId());
            n.put("action", c.getAction());
            n.put("customerFacing", c.getCustomerFacing());
            n.startObject("params");
            for (Map.Entry<String, String> e : new TreeMap<>(c.getParams()).entrySet()) n.put(e.getKey(), e.getValue());
            n.endObject();
            n.startObject("reason");
            n.put("alertId", c.getReason().getAlertId());
            n.put("signal", c.getReason().getSignal());
            n.put("severity", c.getReason().getSeverity());
            n.put("playbook", c.getReason().getPlaybook());
            n.put("step", c.getReason().getStep());
            n.endObject();
            n.put("issuedAt", InstantText.of(c.getIssuedAt()));
            n.put("disposition", c.getDisposition().name());
            if (c.getDispositionReason() != null) n.put("dispositionReason", c.getDispositionReason());
            n.put("ruleVersion", c.getRuleVersion());
        });
    }
}
