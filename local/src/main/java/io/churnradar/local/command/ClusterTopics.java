package io.churnradar.local.command;

import io.churnradar.local.runtime.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

/**
 * The topics of a Kafka cluster, asked before a command starts anything that needs them ({@code run}, {@code rules
 * publish}): a client left to find a missing topic or an unreachable broker on its own waits its whole timeout and
 * then names neither.
 */
final class ClusterTopics {
    private ClusterTopics() {}

    /** An address the Kafka client refuses before it connects (no port, a host that does not resolve): the caller names its option. */
    static final class UnusableAddress extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnusableAddress(String servers, String reason) {
            super("'" + servers + "': " + reason + "; expected HOST:PORT[,HOST:PORT...]");
        }
    }

    /**
     * @param clientProperties the job's Kafka client properties (SASL, SSL), so the question is asked as the job connects
     * @throws ExecutionException or TimeoutException when the cluster does not answer within {@code timeout}
     * @throws UnusableAddress when the client refuses {@code servers} outright
     */
    static Set<String> list(String servers, Map<String, String> clientProperties, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        try (Admin admin = admin(servers, clientProperties, timeout)) {
            return admin.listTopics().names().get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        }
    }

    /**
     * Why {@code topic} cannot be a rules topic (more than one partition, or not compacted: an output topic named by
     * mistake, whose consumers would meet a YAML text among their records), or null when it can.
     */
    static String notARulesTopic(String servers, Map<String, String> clientProperties, Duration timeout, String topic)
            throws ExecutionException, TimeoutException, InterruptedException {
        try (Admin admin = admin(servers, clientProperties, timeout)) {
            int partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(timeout.toSeconds() + 5, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            org.apache.kafka.common.config.ConfigResource r =
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            org.apache.kafka.clients.admin.ConfigEntry policy = admin.describeConfigs(java.util.List.of(r)).all()
                    .get(timeout.toSeconds() + 5, TimeUnit.SECONDS).get(r).get("cleanup.policy");
            boolean compacted = policy != null && policy.value() != null && policy.value().contains("compact");
            if (partitions == 1 && compacted) return null;
            return topic + " has " + partitions + " partition" + (partitions == 1 ? "" : "s") + " and cleanup.policy="
                    + (policy == null ? "?" : policy.value()) + ": a rules topic has one partition and is compacted (docs/rules.md)";
        }
    }

    private static Admin admin(String servers, Map<String, String> clientProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis() * 2 / 3));
        try {
            return Admin.create(p);
        } catch (KafkaException e) {
            if (e.getCause() instanceof ConfigException c) throw new UnusableAddress(servers, c.getMessage());
            throw e;
        }
    }

    /** Why {@link #list} got no answer, in a phrase: the client's reason, or the wait. */
    static String noAnswer(Exception e, Duration timeout) {
        return e.getCause() != null ? e.getCause().getMessage() : "no answer in " + Durations.human(timeout.plusSeconds(5));
    }
}
