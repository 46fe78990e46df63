package io.churnradar.sink;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.AvroEvents;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last check of every record the job writes to Kafka, inside its sink's serializer, so that no
 * single record the broker would refuse can fail the Kafka writer (a refused send fails the job, the
 * restart replays the same record, and a writer that fails again while closing its transaction takes
 * the TaskManager down with it):
 * <ul>
 *   <li>the record is stamped with the time of writing, which a broker always accepts
 *       ({@code message.timestamp.after.max.ms} refuses timestamps ahead of its clock); the record's
 *       own times (detectedAt, asOf, issuedAt, receivedAt) stay in its value;</li>
 *   <li>a record larger than what the topic takes (the smaller of the producer's
 *       {@code max.request.size} and the topic's {@code max.message.bytes}, read when the writer
 *       opens) goes to the dead-letter topic instead, in the same transaction, with its reason, size,
 *       SHA-256 and its first bytes;</li>
 *   <li>a record that cannot be serialized at all goes there too, with the error.</li>
 * </ul>
 * A dead letter too large for the dead-letter topic keeps fewer bytes of its original. Send errors
 * that cannot be foreseen here (authorization, a deleted topic, a broker outage) still fail the
 * writer and the job restarts from its checkpoint (docs/operations.md).
 */
public final class OutputGate<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OutputGate.class);

    /** Kafka's defaults: the producer's max.request.size and the broker's message.max.bytes. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;
    /** Room left in a dead letter for its reason, source and the Avro framing around the kept bytes. */
    static final int DEAD_LETTER_OVERHEAD = 4096;
    /** A dead letter keeps at most this much of a refused record. */
    public static final int KEPT_BYTES = 64 * 1024;

    private final KafkaRecordSerializationSchema<T> delegate;
    private final String topic;
    private final String deadLetterTopic;
    private final String bootstrapServers;
    private final Map<String, String> clientProperties;

    private transient int limit;
    private transient int deadLetterLimit;
    private transient Counter refused;

    private OutputGate(KafkaRecordSerializationSchema<T> delegate, String topic, String deadLetterTopic, String bootstrapServers,
            Map<String, String> clientProperties) {
        this.delegate = delegate;
        this.topic = topic;
        this.deadLetterTopic = deadLetterTopic;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = new LinkedHashMap<>(clientProperties);
    }

    /** The gate of the job's sink to {@code topic}, which {@code delegate} serializes for. */
    public static <T> OutputGate<T> of(KafkaRecordSerializationSchema<T> delegate, String topic, JobSettings s) {
        return new OutputGate<>(delegate, topic, s.deadLetterTopic, s.bootstrapServers, s.clientProperties());
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        delegate.open(context, sinkContext);
        refused = context.getMetricGroup().counter("outputRecordsRefused");
        int producerMax = producerMaxRequestSize();
        Map<String, Integer> topicMax = maxMessageBytes(List.of(topic, deadLetterTopic));
        limit = Math.min(producerMax, topicMax.get(topic));
        deadLetterLimit = Math.min(producerMax, topicMax.get(deadLetterTopic));
    }

    /** Open without a broker: the limits given (tests of the gate alone). */
    void open(int limit, int deadLetterLimit, Counter refused) {
        this.limit = limit;
        this.deadLetterLimit = deadLetterLimit;
        this.refused = refused;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        long now = System.currentTimeMillis();
        ProducerRecord<byte[], byte[]> r;
        try {
            r = delegate.serialize(element, context, timestamp);
        } catch (RuntimeException e) {
            refused.inc();
            LOG.warn("A record for {} cannot be serialized ({}); it goes to the dead letters", topic, e.getClass().getName());
            return deadLetter("cannot be serialized for " + topic + ": " + e, null, new byte[0], now);
        }
        if (r == null) return null;
        int size = sizeOf(r.key(), r.value());
        int max = r.topic().equals(deadLetterTopic) ? deadLetterLimit : limit;
        if (size <= max) return new ProducerRecord<>(r.topic(), r.partition(), now, r.key(), r.value(), r.headers());
        refused.inc();
        LOG.warn("A record of {} bytes for {} is above the {} bytes the topic takes; it goes to the dead letters", size, r.topic(), max);
        byte[] original = r.value() == null ? new byte[0] : r.value();
        if (element instanceof DeadLetter letter && r.topic().equals(deadLetterTopic)) {
            // A dead letter too large itself keeps fewer bytes of its original: the original is the point.
            byte[] payload = bytes(letter.getPayload());
            String reason = letter.getReason() + "; the dead letter keeps fewer of the original's " + payload.length + " bytes (sha256 "
                    + sha256(payload) + ")";
            return write(letter.getSource(), letter.getPartition(), letter.getOffset(), reason, r.key(), payload,
                    letter.getRejectedAt().toEpochMilli(), now);
        }
        String reason = "too large for " + r.topic() + ": " + size + " bytes, above its limit of " + max
                + " bytes (max.message.bytes, max.request.size); the first bytes of the encoded record are kept, sha256 " + sha256(original);
        return deadLetter(reason, r.key(), original, now);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(String reason, byte[] key, byte[] original, long now) {
        return write("output:" + topic, null, null, reason, key, original, now, now);
    }

    /** A dead letter keeping as much of {@code original} as the dead-letter topic takes, at most {@link #KEPT_BYTES}. */
    private ProducerRecord<byte[], byte[]> write(String source, Integer partition, Long offset, String reason, byte[] key,
            byte[] original, long rejectedAt, long now) {
        int room = deadLetterLimit - DEAD_LETTER_OVERHEAD - reason.length() * 4 - (key == null ? 0 : 2 * key.length);
        byte[] kept = Arrays.copyOf(original, Math.max(0, Math.min(original.length, Math.min(room, KEPT_BYTES))));
        byte[] keyKept = key != null && sizeOf(key, kept) + DEAD_LETTER_OVERHEAD > deadLetterLimit ? null : key;
        DeadLetter letter = DeadLetter.newBuilder()
                .setReason(reason)
                .setSource(source)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(keyKept == null ? null : ByteBuffer.wrap(keyKept))
                .setPayload(ByteBuffer.wrap(kept))
                .setRejectedAt(Instant.ofEpochMilli(rejectedAt))
                .build();
        return new ProducerRecord<>(deadLetterTopic, null, now, keyKept, AvroEvents.encode(letter));
    }

    /** The size the producer checks against max.request.size, and the broker (one record per batch) against max.message.bytes. */
    static int sizeOf(byte[] key, byte[] value) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key, value,
                new org.apache.kafka.common.header.Header[0]);
    }

    private int producerMaxRequestSize() {
        String v = clientProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (v == null) return DEFAULT_MAX_REQUEST_SIZE;
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            return DEFAULT_MAX_REQUEST_SIZE;
        }
    }

    /**
     * Each topic's {@code max.message.bytes} (its own or the broker's default), asked once when the
     * writer opens; Kafka's default when the broker cannot say (no DescribeConfigs permission).
     */
    private Map<String, Integer> maxMessageBytes(List<String> topics) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String t : topics) out.put(t, DEFAULT_MAX_MESSAGE_BYTES);
        Properties p = new Properties();
        p.putAll(clientProperties);
        // Only the settings an admin client knows: the producer's own would be logged as unused.
        p.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k.toString()) && !k.toString().startsWith("config.providers"));
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "churn-radar-output-gate-" + topic);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"); // the admin client refuses a request timeout above the API's
        try (Admin admin = Admin.create(p)) {
            List<ConfigResource> resources = topics.stream().distinct().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(20, TimeUnit.SECONDS);
            for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
                ConfigEntry entry = e.getValue().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) out.put(e.getKey().name(), Integer.parseInt(entry.value()));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            // The class of the error and of its cause only: a message may quote a client setting.
            LOG.warn("Cannot read max.message.bytes of {} ({}{}); records up to Kafka's default of {} bytes are let through", topics,
                    e.getClass().getSimpleName(), e.getCause() == null ? "" : ": " + e.getCause().getClass().getSimpleName(),
                    DEFAULT_MAX_MESSAGE_BYTES);
        }
        return out;
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) return new byte[0];
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
