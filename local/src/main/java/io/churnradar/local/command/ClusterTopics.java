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

/**
 * The topics of a Kafka cluster, asked before a command starts anything that needs them ({@code run}, {@code rules
 * publish}): a client left to find a missing topic or an unreachable broker on its own waits its whole timeout and
 * then names neither.
 */
final class ClusterTopics {
    private ClusterTopics() {}

    /**
     * @param clientProperties the job's Kafka client properties (SASL, SSL), so the question is asked as the job connects
     * @throws ExecutionException or TimeoutException when the cluster does not answer within {@code timeout}
     */
    static Set<String> list(String servers, Map<String, String> clientProperties, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis() * 2 / 3));
        try (Admin admin = Admin.create(p)) {
            return admin.listTopics().names().get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        }
    }

    /** Why {@link #list} got no answer, in a phrase: the client's reason, or the wait. */
    static String noAnswer(Exception e, Duration timeout) {
        return e.getCause() != null ? e.getCause().getMessage() : "no answer in " + Durations.human(timeout.plusSeconds(5));
    }
}
