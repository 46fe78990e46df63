package io.churnradar.webhook;

import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.AvroEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;

/**
 * Posts retention commands to the HTTP endpoints of the {@code webhooks} settings, at least once
 * (docs/webhooks.md). The job wires it with {@link #attach(DataStream, JobSettings)}.
 */
public final class WebhookSink extends AsyncSinkBase<RetentionCommand, WebhookEntry> {
    private static final long serialVersionUID = 1L;

    public static final String UID = "webhook-sink";
    public static final String ROUTE_UID = "webhook-route";

    /** Commands of one batch go out concurrently; a batch is acknowledged when all of them are settled. */
    static final int MAX_BATCH_SIZE = 10;
    static final int MAX_IN_FLIGHT_BATCHES = 4;
    /** Beyond this many waiting commands the sink back-pressures the job. */
    static final int MAX_BUFFERED = 1000;
    static final long MAX_RECORD_BYTES = 1 << 20;
    static final long MAX_BATCH_BYTES = MAX_BATCH_SIZE * MAX_RECORD_BYTES;
    /** A lone command waits at most this long for others to share its batch. */
    static final long MAX_TIME_IN_BUFFER_MS = 100;
    /** Beyond the retries: the dead letter's write (the producer's own delivery timeout is 2 minutes). */
    private static final Duration DEAD_LETTER_MARGIN = Duration.ofMinutes(3);

    private final WebhookSettings settings;
    private final DeadLetterTarget deadLetters;

    public WebhookSink(WebhookSettings settings, DeadLetterTarget deadLetters) {
        super(new ToEntry(settings), MAX_BATCH_SIZE, MAX_IN_FLIGHT_BATCHES, MAX_BUFFERED, MAX_BATCH_BYTES,
                MAX_TIME_IN_BUFFER_MS, MAX_RECORD_BYTES, requestTimeout(settings).toMillis(), true);
        this.settings = settings;
        this.deadLetters = deadLetters;
    }

    /**
     * Sends the commands whose action has an endpoint to it, dead letters to the job's dead-letter
     * topic. Does nothing when no endpoint is configured.
     */
    public static void attach(DataStream<RetentionCommand> commands, JobSettings settings) {
        if (!settings.webhooks.enabled()) return;
        attach(commands, settings.webhooks, KafkaDeadLetters.of(settings));
    }

    /** As {@link #attach(DataStream, JobSettings)}, with dead letters to {@code deadLetters}. */
    public static DataStreamSink<RetentionCommand> attach(DataStream<RetentionCommand> commands, WebhookSettings settings,
            DeadLetterTarget deadLetters) {
        return commands
                .filter(new HasEndpoint(settings))
                .uid(ROUTE_UID)
                .name("Commands with a webhook")
                .sinkTo(new WebhookSink(settings, deadLetters))
                .uid(UID)
                .name("Webhooks " + String.join(", ", settings.endpoints.keySet()));
    }

    /**
     * The base writer's own timeout for a batch in flight, past which it fails the job: longer than
     * any batch can take by our retries, so it only fires when something hangs beyond them.
     */
    static Duration requestTimeout(WebhookSettings settings) {
        Duration worst = settings.retry.worstCase();
        for (WebhookEndpoint e : settings.endpoints.values()) {
            if (e.retry.worstCase().compareTo(worst) > 0) worst = e.retry.worstCase();
        }
        return worst.plus(DEAD_LETTER_MARGIN);
    }

    @Override
    public StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> createWriter(WriterInitContext context)
            throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<RetentionCommand, BufferedRequestState<WebhookEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<WebhookEntry>> states) throws IOException {
        AsyncSinkWriterConfiguration config = AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
        return new WebhookWriter(getElementConverter(), context, config, states, settings, deadLetters);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<WebhookEntry>> getWriterStateSerializer() {
        return new WebhookEntryStateSerializer();
    }

    /** A command to the entry of its endpoint. */
    static final class ToEntry implements ElementConverter<RetentionCommand, WebhookEntry> {
        private static final long serialVersionUID = 1L;
        private final WebhookSettings settings;

        ToEntry(WebhookSettings settings) {
            this.settings = settings;
        }

        @Override
        public WebhookEntry apply(RetentionCommand c, SinkWriter.Context context) {
            WebhookEndpoint e = settings.route(c.getAction());
            // No endpoint only for a command that bypassed the route filter: Delivery dead-letters it.
            return new WebhookEntry(e == null ? "" : e.name, c.getCommandId(), c.getAction(), c.getAccountId(),
                    AvroEvents.encode(c));
        }
    }

    /** Commands whose action goes to an endpoint; the others are not for webhooks. */
    static final class HasEndpoint implements FilterFunction<RetentionCommand> {
        private static final long serialVersionUID = 1L;
        private final WebhookSettings settings;

        HasEndpoint(WebhookSettings settings) {
            this.settings = settings;
        }

        @Override
        public boolean filter(RetentionCommand c) {
            return settings.route(c.getAction()) != null;
        }
    }
}
