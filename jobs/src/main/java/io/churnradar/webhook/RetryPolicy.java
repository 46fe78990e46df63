package io.churnradar.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.config.Durations;
import io.churnradar.config.YamlTree;
import java.io.Serializable;
import java.time.Duration;

/**
 * How long one request may take and how often, and how far apart, it is tried. The delay before
 * attempt n+1 is {@code initialBackoff * 2^(n-1)}, capped at {@code maxBackoff}, of which a random
 * half is taken off (so that many retries after one outage do not arrive together); a receiver's
 * Retry-After is honoured up to {@code maxBackoff}.
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(10), 5, Duration.ofSeconds(1), Duration.ofMinutes(1));

    public final Duration timeout;
    public final int maxAttempts;
    public final Duration initialBackoff;
    public final Duration maxBackoff;

    public RetryPolicy(Duration timeout, int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * The delay after {@code attemptsMade} failed attempts.
     *
     * @param retryAfter the receiver's Retry-After, or null
     * @param random a number in [0, 1): how much of the jitter half to keep
     */
    public Duration delay(int attemptsMade, Duration retryAfter, double random) {
        long initial = initialBackoff.toMillis();
        long max = maxBackoff.toMillis();
        int doublings = Math.min(Math.max(attemptsMade - 1, 0), 30);
        long exp = Math.min(max, initial << doublings);
        if (exp < 0) exp = max;
        long jittered = exp / 2 + (long) (random * (exp - exp / 2));
        if (retryAfter != null) {
            jittered = Math.max(jittered, Math.min(retryAfter.toMillis(), max));
        }
        return Duration.ofMillis(jittered);
    }

    /**
     * The longest one command can keep a request in flight: every attempt timing out, every
     * backoff at its maximum. Checkpoints wait for in-flight requests, so this bounds their delay.
     */
    public Duration worstCase() {
        return timeout.multipliedBy(2L * maxAttempts).plus(maxBackoff.multipliedBy(Math.max(0, maxAttempts - 1)));
    }

    /** Reads timeout, maxAttempts, initialBackoff and maxBackoff under {@code path}; a key not given keeps {@code inherited}'s. */
    static RetryPolicy parse(JsonNode node, String path, YamlTree y, RetryPolicy inherited) {
        Duration timeout = y.duration(YamlTree.child(node, "timeout"), path + ".timeout", inherited.timeout,
                Duration.ofMillis(100), Duration.ofMinutes(5));
        int maxAttempts = y.integer(YamlTree.child(node, "maxAttempts"), path + ".maxAttempts", inherited.maxAttempts, 1, 50);
        Duration initial = y.duration(YamlTree.child(node, "initialBackoff"), path + ".initialBackoff", inherited.initialBackoff,
                Duration.ofMillis(10), Duration.ofMinutes(10));
        Duration max = y.duration(YamlTree.child(node, "maxBackoff"), path + ".maxBackoff", inherited.maxBackoff,
                Duration.ofMillis(10), Duration.ofHours(1));
        if (max.compareTo(initial) < 0) {
            y.error(path + ".maxBackoff", "must be at least initialBackoff (" + Durations.format(initial) + "), got "
                    + Durations.format(max));
        }
        return new RetryPolicy(timeout, maxAttempts, initial, max);
    }

    @Override
    public String toString() {
        return "timeout " + Durations.format(timeout) + ", " + maxAttempts + " attempts, backoff "
                + Durations.format(initialBackoff) + ".." + Durations.format(maxBackoff);
    }
}
