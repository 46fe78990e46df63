package io.churnradar.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.commands.CommandReason;
import io.churnradar.commands.RetentionCommand;

/**
 * A Slack incoming-webhook message (docs/webhooks.md, "Slack body"): a one-line {@code text}, which
 * is also what notifications show, and blocks that lay the same facts out. No links: the message
 * must make sense without access to any other tool. A {@code message} param, when the playbook
 * step sets one, is added as its own line.
 */
final class SlackPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SlackPayload() {}

    static byte[] render(RetentionCommand c) {
        CommandReason r = c.getReason();
        String message = c.getParams().get("message");
        ObjectNode root = JSON.createObjectNode();
        root.put("text", text(c) + (message == null ? "" : " " + escape(message)));

        ArrayNode blocks = root.putArray("blocks");
        section(blocks, ":warning: *Churn risk* on account *" + escape(c.getAccountId()) + "*");
        ObjectNode facts = blocks.addObject();
        facts.put("type", "section");
        ArrayNode fields = facts.putArray("fields");
        field(fields, "*Signal*\n" + escape(r.getSignal()));
        field(fields, "*Severity*\n" + escape(r.getSeverity()));
        field(fields, "*Playbook*\n" + escape(r.getPlaybook()) + " (step " + (r.getStep() + 1) + ")");
        field(fields, "*Action*\n" + escape(c.getAction()));
        if (message != null) section(blocks, escape(message));
        ObjectNode context = blocks.addObject();
        context.put("type", "context");
        ObjectNode ctx = context.putArray("elements").addObject();
        ctx.put("type", "mrkdwn");
        ctx.put("text", "command " + escape(c.getCommandId()) + " · rules " + escape(c.getRuleVersion())
                + " · issued " + c.getIssuedAt());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the Slack body of command " + c.getCommandId(), e);
        }
    }

    /** "Churn risk: account acme-42, signal PAYMENT_FAILED (HIGH), playbook dunning step 1." */
    static String text(RetentionCommand c) {
        CommandReason r = c.getReason();
        return "Churn risk: account " + escape(c.getAccountId()) + ", signal " + escape(r.getSignal())
                + " (" + escape(r.getSeverity()) + "), playbook " + escape(r.getPlaybook()) + " step " + (r.getStep() + 1) + "."; // counted from 1 for people, as the demo prints it; reason.step is the index
    }

    private static void section(ArrayNode blocks, String mrkdwn) {
        ObjectNode s = blocks.addObject();
        s.put("type", "section");
        ObjectNode t = s.putObject("text");
        t.put("type", "mrkdwn");
        t.put("text", mrkdwn);
    }

    private static void field(ArrayNode fields, String mrkdwn) {
        ObjectNode f = fields.addObject();
        f.put("type", "mrkdwn");
        f.put("text", mrkdwn);
    }

    /** Slack reads &, < and > as markup (links, mentions): account ids and params are data. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
