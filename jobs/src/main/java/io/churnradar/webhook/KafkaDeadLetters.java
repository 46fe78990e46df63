package io.churnradar.webhook;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.config.JobSettings;
import io.churnradar.ingest.AvroEvents;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead letters to the job's dead-letter topic, keyed by account id, Avro single-object encoded as
 * the job's other dead letters. A plain idempotent producer (acks=all), not a transaction: a
 * command's entry is acknowledged to the sink only after its letter's write is acknowledged, and a
 * checkpoint waits for every entry in flight, so no letter is lost; after a restart one may be
 * written twice.
 */
public final class KafkaDeadLetters implements DeadLetterTarget {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> clientProperties;

    public KafkaDeadLetters(String bootstrapServers, String topic, Map<String, String> clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.clientProperties = new LinkedHashMap<>(clientProperties);
    }

    /** The job's dead-letter topic with the job's Kafka client properties (SASL, SSL, ...). */
    public static KafkaDeadLetters of(JobSettings s) {
        return new KafkaDeadLetters(s.bootstrapServers, s.deadLetterTopic, s.clientProperties());
    }

    @Override
    public DeadLetterPublisher open(String clientId) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        return new Publisher(producer, topic);
    }

    private static final class Publisher implements DeadLetterPublisher {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;

        Publisher(KafkaProducer<byte[], byte[]> producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        @Override
        public CompletableFuture<Void> publish(DeadLetter letter) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            byte[] key = null;
            if (letter.getKey() != null) {
                key = new byte[letter.getKey().remaining()];
                letter.getKey().duplicate().get(key);
            }
            try {
                producer.send(new ProducerRecord<>(topic, key, AvroEvents.encode(letter)), (meta, err) -> {
                    if (err == null) done.complete(null);
                    else done.completeExceptionally(err);
                });
            } catch (RuntimeException e) { // send throws for some errors instead of calling back
                done.completeExceptionally(e);
            }
            return done;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
