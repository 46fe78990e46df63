package io.churnradar.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;

/** An endpoint ready to post to: its URL and secret read from their sources. Never serialized, never printed. */
final class OpenEndpoint {
    final String name;
    final URI uri;
    final PayloadFormat format;
    /** Null when unsigned. */
    final byte[] secret;
    final RetryPolicy retry;

    private OpenEndpoint(String name, URI uri, PayloadFormat format, byte[] secret, RetryPolicy retry) {
        this.name = name;
        this.uri = uri;
        this.format = format;
        this.secret = secret;
        this.retry = retry;
    }

    /** @throws IllegalStateException naming the endpoint and the source, not the value, when one cannot be read */
    static OpenEndpoint open(WebhookEndpoint e) {
        String url = e.url.read("webhook endpoint '" + e.name + "' url").strip();
        String problem = WebhookEndpoint.urlProblem(url);
        if (problem != null) {
            throw new IllegalStateException("webhook endpoint '" + e.name + "' url from " + e.url + ": " + problem);
        }
        byte[] secret = e.secret == null ? null
                : e.secret.read("webhook endpoint '" + e.name + "' secret").getBytes(StandardCharsets.UTF_8);
        return new OpenEndpoint(e.name, URI.create(url), e.format, secret, e.retry);
    }

    /** Takes the URL out of a text (an error message) bound for a log line or a dead letter. */
    String scrub(String text) {
        if (text == null) return "";
        String out = text.replace(uri.toString(), "<" + name + " url>");
        String path = uri.getRawPath();
        if (path != null && path.length() > 1) out = out.replace(path, "/…");
        if (uri.getRawQuery() != null) out = out.replace(uri.getRawQuery(), "…");
        return out;
    }
}
