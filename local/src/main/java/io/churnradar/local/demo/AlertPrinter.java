package io.churnradar.local.demo;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.alerts.RulesStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what the job commits to the alerts, commands audit, dead-letter and rules status topics, as a downstream consumer would
 * ({@code isolation.level=read_committed}: only alerts of completed checkpoints), prints each on one
 * line and keeps the counts for the summary.
 */
public final class AlertPrinter implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String alertsTopic;
    private final String rulesStatusTopic;
    private final String commandsAuditTopic;
    private final PrintStream out;
    private final Thread thread;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /** signal -> status -> count */
    private final Map<String, Map<String, Long>> alerts = new TreeMap<>();
    private final AtomicLong alertCount = new AtomicLong();
    private final AtomicLong deadLetterCount = new AtomicLong();
    /** disposition -> count of the playbook decisions */
    private final Map<String, Long> decisions = new TreeMap<>();
    private volatile long firstAlertAtNanos = -1;
    private volatile Throwable failure;
    private volatile boolean closing;

    private AlertPrinter(KafkaConsumer<byte[], byte[]> consumer, String alertsTopic, String rulesStatusTopic,
            String commandsAuditTopic, PrintStream out) {
        this.consumer = consumer;
        this.alertsTopic = alertsTopic;
        this.rulesStatusTopic = rulesStatusTopic;
        this.commandsAuditTopic = commandsAuditTopic;
        this.out = out;
        this.thread = new Thread(this::pollLoop, "alert-printer");
        this.thread.setDaemon(true);
    }

    /** Starts reading the topics from their beginning; the commands audit may be null (not shown). */
    public static AlertPrinter start(String bootstrapServers, String alertsTopic, String deadLetterTopic, String rulesStatusTopic,
            String commandsAuditTopic, PrintStream out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "churn-radar-alert-printer");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            List<String> topics = new ArrayList<>(List.of(alertsTopic, deadLetterTopic, rulesStatusTopic));
            if (commandsAuditTopic != null) topics.add(commandsAuditTopic);
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            // No consumer group: the printer is a viewer, it never commits and always starts from the beginning.
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        AlertPrinter printer = new AlertPrinter(consumer, alertsTopic, rulesStatusTopic, commandsAuditTopic, out);
        printer.thread.start();
        return printer;
    }

    private void pollLoop() {
        try {
            while (!closing) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(alertsTopic)) {
                        onAlert(RiskAlert.getDecoder().decode(r.value()));
                    } else if (r.topic().equals(commandsAuditTopic)) {
                        onDecision(RetentionCommand.getDecoder().decode(r.value()));
                    } else if (r.topic().equals(rulesStatusTopic)) {
                        out.println(AlertLine.of(RulesStatus.getDecoder().decode(r.value())));
                    } else {
                        deadLetterCount.incrementAndGet();
                        out.println(AlertLine.of(DeadLetter.getDecoder().decode(r.value())));
                    }
                }
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            if (!closing) {
                failure = t;
                out.println("The alert printer stopped: " + t);
            }
        }
    }

    private void onAlert(RiskAlert a) {
        if (firstAlertAtNanos < 0) firstAlertAtNanos = System.nanoTime();
        alertCount.incrementAndGet();
        synchronized (alerts) {
            alerts.computeIfAbsent(a.getSignal(), k -> new TreeMap<>()).merge(a.getStatus().name(), 1L, Long::sum);
        }
        out.println(AlertLine.of(a));
    }

    /** Counts every decision; prints the ones sent, beside the alerts that caused them. */
    private void onDecision(RetentionCommand c) {
        synchronized (decisions) {
            decisions.merge(c.getDisposition().name(), 1L, Long::sum);
        }
        if (c.getDisposition() == CommandDisposition.SEND) out.println(AlertLine.of(c));
    }

    /** disposition -> count of the playbook decisions read, a copy. */
    public Map<String, Long> decisionsByDisposition() {
        synchronized (decisions) {
            return new TreeMap<>(decisions);
        }
    }

    /** Waits until the printer has read up to these offsets (e.g. the topics' last committed offsets). */
    public boolean awaitPositions(Map<TopicPartition, Long> targets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && failure == null) {
            boolean caughtUp = targets.entrySet().stream()
                    .allMatch(t -> positions.getOrDefault(t.getKey(), 0L) >= t.getValue());
            if (caughtUp) return true;
            Thread.sleep(50);
        }
        return false;
    }

    public long alerts() {
        return alertCount.get();
    }

    public long deadLetters() {
        return deadLetterCount.get();
    }

    /** System.nanoTime() when the first alert arrived, or -1. */
    public long firstAlertAtNanos() {
        return firstAlertAtNanos;
    }

    /** signal -> status -> count, a copy. */
    public Map<String, Map<String, Long>> alertsBySignal() {
        synchronized (alerts) {
            Map<String, Map<String, Long>> copy = new TreeMap<>();
            alerts.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
            return copy;
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(5));
    }
}
