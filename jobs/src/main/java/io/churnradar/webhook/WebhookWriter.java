package io.churnradar.webhook;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.ingest.DeadLetters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a batch's commands concurrently, each with its own retries, and acknowledges the batch to
 * the base writer only when every command in it was delivered or its dead letter written. The base
 * writer keeps unsent commands in its checkpointed buffer and holds a checkpoint until no batch is
 * in flight, so a command is never lost between a checkpoint and a failure: at least once.
 */
final class WebhookWriter extends AsyncSinkWriter<RetentionCommand, WebhookEntry> {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookWriter.class);

    private final Delivery delivery;
    private final DeadLetterPublisher deadLetters;
    private final Counter delivered;
    private final Counter retried;
    private final Counter deadLettered;
    private volatile boolean closed;

    WebhookWriter(ElementConverter<RetentionCommand, WebhookEntry> converter, WriterInitContext context,
            AsyncSinkWriterConfiguration config, Collection<BufferedRequestState<WebhookEntry>> states,
            WebhookSettings settings, DeadLetterTarget deadLetterTarget) {
        super(converter, context, config, states, new SimpleBatchCreator<>(config.getMaxBatchSizeInBytes()),
                new DequeRequestBuffer<>());
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.delivered = context.metricGroup().counter("webhookDelivered", new ThreadSafeSimpleCounter());
        this.retried = context.metricGroup().counter("webhookRetried", new ThreadSafeSimpleCounter());
        this.deadLettered = context.metricGroup().counter("webhookDeadLettered", new ThreadSafeSimpleCounter());
        this.delivery = new Delivery(settings, "webhook-" + subtask, attempt -> retried.inc());
        try {
            this.deadLetters = deadLetterTarget.open("churn-radar-webhook-dead-letters-" + subtask);
        } catch (RuntimeException e) {
            delivery.close();
            throw e;
        }
    }

    @Override
    protected void submitRequestEntries(List<WebhookEntry> entries, ResultHandler<WebhookEntry> result) {
        CompletableFuture<?>[] each = new CompletableFuture<?>[entries.size()];
        for (int i = 0; i < each.length; i++) {
            each[i] = settle(entries.get(i)).whenComplete((ok, error) -> {
                if (error != null) {
                    // A dead letter that cannot be written: fail the job at once rather than drop the
                    // command; it comes back from the last checkpoint with the rest of the batch.
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    result.completeExceptionally(cause instanceof Exception ex ? ex : new IOException(cause));
                }
            });
        }
        // The first of complete and completeExceptionally wins; the other is ignored.
        CompletableFuture.allOf(each).thenRun(result::complete);
    }

    private CompletableFuture<Void> settle(WebhookEntry entry) {
        return delivery.deliver(entry).thenCompose(outcome -> {
            if (closed) {
                // Closing (a failover, a cancel): settle nothing; the command comes back from the last checkpoint.
                return new CompletableFuture<Void>();
            }
            if (outcome.delivered()) {
                delivered.inc();
                return CompletableFuture.completedFuture(null);
            }
            String reason = outcome.reason(entry.action);
            LOG.warn("Command {} to the dead-letter topic: {}", entry.commandId, reason);
            deadLettered.inc();
            DeadLetter letter = DeadLetters.of(reason, "webhook:" + outcome.endpoint(), null, null,
                    entry.accountId.getBytes(StandardCharsets.UTF_8), entry.command);
            return deadLetters.publish(letter).exceptionally(e -> {
                throw new CompletionException(new IOException(
                        "cannot write the dead letter of command " + entry.commandId + ": " + e, e));
            });
        });
    }

    @Override
    protected long getSizeInBytes(WebhookEntry entry) {
        return entry.sizeInBytes();
    }

    @Override
    public void close() {
        closed = true;
        try {
            delivery.close();
        } finally {
            deadLetters.close();
            super.close();
        }
    }
}
