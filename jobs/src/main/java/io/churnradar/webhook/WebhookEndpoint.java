package io.churnradar.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.config.YamlTree;
import io.churnradar.play.Action;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** One receiver of commands, as configured under {@code webhooks.endpoints.<name>}. */
public final class WebhookEndpoint implements Serializable {
    private static final long serialVersionUID = 1L;

    /** In {@code actions}: every action that no endpoint lists by name. */
    public static final String DEFAULT_ACTIONS = "default";
    static final Set<String> KEYS = Set.of("url", "urlEnv", "urlFile", "actions", "format", "secretEnv", "secretFile",
            "timeout", "maxAttempts", "initialBackoff", "maxBackoff");

    public final String name;
    public final ValueSource url;
    /** Action names, or {@link #DEFAULT_ACTIONS}. */
    public final Set<String> actions;
    public final PayloadFormat format;
    /** Null when requests go unsigned. */
    public final ValueSource secret;
    public final RetryPolicy retry;

    public WebhookEndpoint(String name, ValueSource url, Set<String> actions, PayloadFormat format, ValueSource secret,
            RetryPolicy retry) {
        this.name = name;
        this.url = url;
        this.actions = Set.copyOf(actions);
        this.format = format;
        this.secret = secret;
        this.retry = retry;
    }

    static WebhookEndpoint parse(String name, JsonNode node, String path, YamlTree y, RetryPolicy defaults) {
        y.onlyKeys(node, path, KEYS);
        if (!node.isObject()) return null;

        ValueSource url = url(node, path, y);
        Set<String> actions = actions(YamlTree.child(node, "actions"), path + ".actions", y);
        PayloadFormat format = format(YamlTree.child(node, "format"), path + ".format", y);
        ValueSource secret = null;
        String secretEnv = y.text(YamlTree.child(node, "secretEnv"), path + ".secretEnv", null);
        String secretFile = y.text(YamlTree.child(node, "secretFile"), path + ".secretFile", null);
        if (secretEnv != null && secretFile != null) {
            y.error(path, "give the signing secret by secretEnv or by secretFile, not both");
        } else if (secretEnv != null) {
            secret = ValueSource.env(secretEnv);
        } else if (secretFile != null) {
            secret = ValueSource.file(secretFile);
        }
        RetryPolicy retry = RetryPolicy.parse(node, path, y, defaults);
        return new WebhookEndpoint(name, url, actions, format, secret, retry);
    }

    private static ValueSource url(JsonNode node, String path, YamlTree y) {
        String inline = y.text(YamlTree.child(node, "url"), path + ".url", null);
        String env = y.text(YamlTree.child(node, "urlEnv"), path + ".urlEnv", null);
        String file = y.text(YamlTree.child(node, "urlFile"), path + ".urlFile", null);
        int given = (inline != null ? 1 : 0) + (env != null ? 1 : 0) + (file != null ? 1 : 0);
        if (given != 1) {
            y.error(path, "needs exactly one of url, urlEnv (an environment variable holding the URL) or urlFile "
                    + "(a file holding it), got " + given);
            return ValueSource.inline("http://invalid");
        }
        if (inline != null) {
            String problem = urlProblem(inline);
            if (problem != null) y.error(path + ".url", problem);
            return ValueSource.inline(inline);
        }
        return env != null ? ValueSource.env(env) : ValueSource.file(file);
    }

    /** @return why the text is not a URL we can post to, without repeating it (its path may be a secret), or null */
    static String urlProblem(String text) {
        try {
            URI u = new URI(text.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "expected an http:// or https:// URL, got scheme '" + scheme + "'";
            }
            if (u.getHost() == null) return "expected an http:// or https:// URL with a host";
            return null;
        } catch (java.net.URISyntaxException e) {
            return "not a valid URL (" + e.getReason() + ")";
        }
    }

    private static Set<String> actions(JsonNode node, String path, YamlTree y) {
        Set<String> out = new LinkedHashSet<>();
        List<String> allowed = new ArrayList<>();
        allowed.add(DEFAULT_ACTIONS);
        for (Action a : Action.values()) allowed.add(a.name());
        if (node.isMissingNode() || node.isNull()) {
            y.error(path, "required: a list of the actions this endpoint receives; allowed values: " + String.join(", ", allowed));
            return out;
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) items.add(it.next());
        } else {
            items.add(node);
        }
        for (JsonNode item : items) {
            String a = item.asText().strip();
            if (!item.isValueNode() || !allowed.contains(a)) {
                y.error(path, "'" + item.asText() + "' is not allowed; allowed values: " + String.join(", ", allowed));
            } else {
                out.add(a);
            }
        }
        if (items.isEmpty()) {
            y.error(path, "expected at least one action; allowed values: " + String.join(", ", allowed));
        }
        return out;
    }

    private static PayloadFormat format(JsonNode node, String path, YamlTree y) {
        if (node.isMissingNode() || node.isNull()) return PayloadFormat.JSON;
        PayloadFormat f = PayloadFormat.byKey(node.asText().strip().toLowerCase());
        if (f == null) {
            List<String> allowed = new ArrayList<>();
            for (PayloadFormat p : PayloadFormat.values()) allowed.add(p.key);
            y.error(path, "'" + node.asText() + "' is not allowed; allowed values: " + String.join(", ", allowed));
            return PayloadFormat.JSON;
        }
        return f;
    }

    /** Without the URL or the secret: both may be secrets. */
    @Override
    public String toString() {
        return name + "{url from " + url + ", actions " + new TreeSet<>(actions) + ", format " + format.key
                + (secret == null ? ", unsigned" : ", signed with secret from " + secret) + ", " + retry + "}";
    }
}
