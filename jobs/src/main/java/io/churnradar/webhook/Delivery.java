package io.churnradar.webhook;

import io.churnradar.commands.RetentionCommand;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Posts one command to its endpoint until it is taken or given up: 2xx is delivered; 408, 429,
 * 5xx, timeouts and connection errors are tried again after a backoff, up to the endpoint's
 * maxAttempts; any other status (3xx included: redirects are not followed, a webhook URL that
 * moved is a configuration error) is final at once. Never completes exceptionally.
 */
final class Delivery implements AutoCloseable {
    static final String USER_AGENT = "churn-radar-webhook/1";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String ATTEMPT = "X-Churn-Radar-Attempt";
    private static final int RESPONSE_SNIPPET = 200;

    private final WebhookSettings settings;
    private final Map<String, OpenEndpoint> endpoints = new LinkedHashMap<>();
    private final ExecutorService executor;
    private final HttpClient client;
    private final IntConsumer onRetry;
    /** Requests awaiting their response: aborted on close, so that no connection outlives the writer. */
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Reads every endpoint's URL and secret now.
     *
     * @param onRetry told of every attempt that will be followed by another (for metrics)
     */
    Delivery(WebhookSettings settings, String threadName, IntConsumer onRetry) {
        this.settings = settings;
        this.onRetry = onRetry;
        for (WebhookEndpoint e : settings.endpoints.values()) {
            try {
                endpoints.put(e.name, OpenEndpoint.open(e));
            } catch (IllegalStateException unreadable) {
                // A secret or URL that is not there now is not there at the next restart either: the job fails at
                // start-up with the endpoint and the variable or path, instead of restarting for ever with every
                // output (alerts, health, commands to Kafka) stopped.
                throw new org.apache.flink.runtime.execution.SuppressRestartsException(unreadable);
            }
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder()
                .executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    CompletableFuture<Outcome> deliver(WebhookEntry entry) {
        OpenEndpoint ep = endpoints.get(entry.endpoint);
        if (ep == null) {
            // Queued before a restart with other settings: the action's endpoint now, if any.
            WebhookEndpoint now = settings.route(entry.action);
            if (now == null) {
                return CompletableFuture.completedFuture(Outcome.gaveUp(entry.endpoint, 0, 0,
                        "no endpoint receives this action any more"));
            }
            ep = endpoints.get(now.name);
        }
        byte[] body;
        try {
            body = ep.format.render(RetentionCommand.getDecoder().decode(entry.command));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(Outcome.gaveUp(ep.name, 0, 0,
                    "cannot render the command's body: " + e));
        }
        OpenEndpoint target = ep;
        return attempt(target, entry, body, 1)
                .exceptionally(t -> Outcome.gaveUp(target.name, 0, 0, "unexpected: " + target.scrub(unwrap(t).toString())));
    }

    private CompletableFuture<Outcome> attempt(OpenEndpoint ep, WebhookEntry entry, byte[] body, int n) {
        HttpRequest request;
        try {
            request = request(ep, entry, body, n);
        } catch (IllegalArgumentException e) { // e.g. a command id that is no valid header value
            return CompletableFuture.completedFuture(Outcome.gaveUp(ep.name, n - 1, 0,
                    "cannot build the request: " + ep.scrub(e.getMessage())));
        }
        CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        pending.add(sent);
        sent.whenComplete((r, t) -> pending.remove(sent));
        // The request timeout covers the response's headers; this bounds a body that never ends.
        sent.copy().orTimeout(ep.retry.timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .whenComplete((r, t) -> {
                    if (t != null) sent.cancel(true);
                });
        return sent.handle((response, error) -> next(ep, entry, body, n, response, unwrap(error)))
                .thenCompose(f -> f);
    }

    private CompletableFuture<Outcome> next(OpenEndpoint ep, WebhookEntry entry, byte[] body, int n,
            HttpResponse<byte[]> response, Throwable error) {
        if (closed) {
            // Aborted by close: the command is not settled; it comes back from the last checkpoint.
            return new CompletableFuture<>();
        }
        int status = response == null ? 0 : response.statusCode();
        if (response != null && status / 100 == 2) {
            return CompletableFuture.completedFuture(Outcome.delivered(ep.name, n, status));
        }
        boolean retryable;
        String problem;
        Duration retryAfter = null;
        if (response != null) {
            retryable = status == 408 || status == 429 || status >= 500;
            problem = "HTTP " + status + (retryable ? "" : " is final, not retried") + snippet(ep, response.body());
            retryAfter = retryAfter(response);
        } else {
            retryable = error instanceof IOException || error instanceof TimeoutException
                    || error instanceof java.util.concurrent.CancellationException;
            problem = error instanceof HttpTimeoutException || error instanceof TimeoutException
                    || error instanceof java.util.concurrent.CancellationException
                    ? "no response within " + io.churnradar.config.Durations.format(ep.retry.timeout)
                    : describe(ep, error);
        }
        if (!retryable || n >= ep.retry.maxAttempts) {
            return CompletableFuture.completedFuture(Outcome.gaveUp(ep.name, n, status, problem));
        }
        onRetry.accept(n);
        Duration delay = ep.retry.delay(n, retryAfter, ThreadLocalRandom.current().nextDouble());
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, executor))
                .thenCompose(x -> attempt(ep, entry, body, n + 1));
    }

    private HttpRequest request(OpenEndpoint ep, WebhookEntry entry, byte[] body, int n) {
        HttpRequest.Builder b = HttpRequest.newBuilder(ep.uri)
                .timeout(ep.retry.timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header(IDEMPOTENCY_KEY, entry.commandId)
                .header(ATTEMPT, Integer.toString(n))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (ep.secret != null) {
            b.header(Signature.HEADER, Signature.header(ep.secret, System.currentTimeMillis() / 1000, body));
        }
        return b.build();
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        String v = response.headers().firstValue("Retry-After").orElse(null);
        if (v == null) return null;
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    /** The start of a refusal's body ("channel_not_found"), on one line. */
    private static String snippet(OpenEndpoint ep, byte[] body) {
        if (body == null || body.length == 0) return "";
        String s = new String(body, 0, Math.min(body.length, RESPONSE_SNIPPET), StandardCharsets.UTF_8)
                .replaceAll("[\\p{Cntrl}]+", " ").strip();
        return s.isEmpty() ? "" : "; response: " + ep.scrub(s) + (body.length > RESPONSE_SNIPPET ? "…" : "");
    }

    /** "ConnectException: Connection refused": the class and the first message found down the causes. */
    private static String describe(OpenEndpoint ep, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return error.getClass().getSimpleName() + ": " + ep.scrub(t.getMessage());
            }
        }
        return error.getClass().getSimpleName();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<?> f : pending) f.cancel(true);
        executor.shutdownNow();
    }
}
