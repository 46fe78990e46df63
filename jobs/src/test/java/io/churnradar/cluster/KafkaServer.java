package io.churnradar.cluster;

import io.churnradar.testing.Deadline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller combined) as its own process: {@code kafka.Kafka
 * server.properties} after {@code kafka-storage format}, from the Maven classpath (kafka_2.13). It can be
 * stopped and started again on the same ports and log folder, as an outage of the cluster's broker.
 */
final class KafkaServer implements AutoCloseable {
    final Path dir;
    private final String classpath;
    private final Path properties;
    private final int port;
    private ChildJvm process;
    private int starts;

    KafkaServer(Path dir, String classpath) throws Exception {
        this.dir = dir;
        this.classpath = classpath;
        this.port = FlinkSession.freePort();
        int controllerPort = FlinkSession.freePort();
        Files.createDirectories(dir);
        properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                // One broker: the internal topics cannot have the default three replicas.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                // The planted events are dated in the past: time retention would delete them at once.
                "log.retention.ms=-1", ""));
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = Console",
                "appender.console.type = Console",
                "appender.console.name = Console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n", ""));
        ChildJvm.run("kafka-storage-format", dir.getParent().resolve("log"), jvmArgs(), classpath, "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()));
    }

    private List<String> jvmArgs() {
        return List.of("-Xmx512m", "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toUri());
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    void start() throws Exception {
        starts++;
        process = ChildJvm.start("kafka-" + starts, dir.getParent().resolve("log"), jvmArgs(), classpath, "kafka.Kafka",
                List.of(properties.toString()));
        Deadline.in(Duration.ofMinutes(2)).pollUntil("the broker at " + bootstrapServers(), () -> {
            if (!process.alive()) throw new IllegalStateException("the broker ended; see " + process.log);
            try (Admin a = admin()) {
                return !a.describeCluster().nodes().get().isEmpty();
            } catch (Exception e) {
                return false; // not listening yet
            }
        });
    }

    /** A clean stop (SIGTERM, the broker's own shutdown), as for maintenance or a crash of the host's service. */
    void stop() throws InterruptedException {
        if (process != null) process.stop(60);
    }

    Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    void createTopics(Map<String, Integer> partitions) throws Exception {
        try (Admin a = admin()) {
            a.createTopics(partitions.entrySet().stream().map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList())
                    .all().get();
        }
    }

    ChildJvm process() {
        return process;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
