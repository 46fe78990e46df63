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
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis() * 2 / 3));
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (KafkaException e) {
            if (e.getCause() instanceof ConfigException c) throw new UnusableAddress(servers, c.getMessage());
            throw e;
        }
        try (admin) {
            return admin.listTopics().names().get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        }
    }

    /** Why {@link #list} got no answer, in a phrase: the client's reason, or the wait. */
    static String noAnswer(Exception e, Duration timeout) {
        return e.getCause() != null ? e.getCause().getMessage() : "no answer in " + Durations.human(timeout.plusSeconds(5));
    }
}
