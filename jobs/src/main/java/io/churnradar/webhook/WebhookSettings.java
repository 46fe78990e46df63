package io.churnradar.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.config.YamlTree;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code webhooks:} section of the job settings: which endpoint receives which action, and how
 * requests are retried (docs/webhooks.md). No endpoint, no webhook sink: the default.
 * An action goes to at most one endpoint: the one that lists it, else the one that lists
 * {@code default}, else none.
 */
public final class WebhookSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public final RetryPolicy retry;
    /** By name, in the file's order. */
    public final Map<String, WebhookEndpoint> endpoints;

    public WebhookSettings(RetryPolicy retry, Map<String, WebhookEndpoint> endpoints) {
        this.retry = retry;
        this.endpoints = Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
    }

    public static WebhookSettings none() {
        return new WebhookSettings(RetryPolicy.DEFAULT, Map.of());
    }

    public boolean enabled() {
        return !endpoints.isEmpty();
    }

    /** @return the endpoint that receives commands of this action, or null when none does */
    public WebhookEndpoint route(String action) {
        WebhookEndpoint fallback = null;
        for (WebhookEndpoint e : endpoints.values()) {
            if (e.actions.contains(action)) return e;
            if (e.actions.contains(WebhookEndpoint.DEFAULT_ACTIONS)) fallback = e;
        }
        return fallback;
    }

    /** Reads {@code webhooks} from the job settings' root; problems are collected in {@code y}. */
    public static WebhookSettings fromYaml(JsonNode root, YamlTree y) {
        JsonNode w = YamlTree.child(root, "webhooks");
        y.onlyKeys(w, "webhooks", Set.of("timeout", "maxAttempts", "initialBackoff", "maxBackoff", "endpoints"));
        RetryPolicy retry = RetryPolicy.parse(w, "webhooks", y, RetryPolicy.DEFAULT);
        Map<String, WebhookEndpoint> endpoints = new LinkedHashMap<>();
        JsonNode eps = YamlTree.child(w, "endpoints");
        if (!eps.isMissingNode() && !eps.isNull() && !eps.isObject()) {
            y.error("webhooks.endpoints", "expected a mapping of endpoint names to their settings");
        } else if (eps.isObject()) {
            Map<String, String> claimedBy = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = eps.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "webhooks.endpoints." + e.getKey();
                if (!NAME.matcher(e.getKey()).matches()) {
                    y.error(path, "an endpoint name is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
                }
                if (!e.getValue().isObject()) {
                    y.error(path, "expected a mapping with the keys " + String.join(", ", WebhookEndpoint.KEYS.stream().sorted().toList()));
                    continue;
                }
                WebhookEndpoint endpoint = WebhookEndpoint.parse(e.getKey(), e.getValue(), path, y, retry);
                for (String action : endpoint.actions) {
                    String other = claimedBy.putIfAbsent(action, endpoint.name);
                    if (other != null) {
                        y.error(path + ".actions", "'" + action + "' already goes to endpoint '" + other
                                + "'; an action goes to one endpoint");
                    }
                }
                endpoints.put(endpoint.name, endpoint);
            }
        }
        return new WebhookSettings(retry, endpoints);
    }

    @Override
    public String toString() {
        return "webhooks{" + retry + ", endpoints " + endpoints.values() + "}";
    }
}
