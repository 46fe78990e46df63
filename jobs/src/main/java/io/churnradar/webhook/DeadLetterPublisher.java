package io.churnradar.webhook;

import io.churnradar.alerts.DeadLetter;
import java.util.concurrent.CompletableFuture;

/** Writes dead letters; the future completes once the letter is durably written, and only then. */
public interface DeadLetterPublisher extends AutoCloseable {
    CompletableFuture<Void> publish(DeadLetter letter);

    @Override
    void close();
}
