package io.churnradar.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.testing.Deadline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The job's output as a read_committed consumer sees it, the backtest's expectation, and how they differ. */
final class Outputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An alert as compared: everything it says but its id-derived and version fields, the health score and tier
     * it carries included (events apply in event-time order, so a restore or the read order may not change them).
     * The rules version is left out: the upgrade scenario changes it on purpose.
     */
    record AlertKey(String accountId, String signal, String status, String severity, String episodeStart, String detectedAt,
            Integer healthScore, String healthTier) {
        @Override
        public String toString() {
            return accountId + " " + signal + " " + status + " " + severity + " episode " + episodeStart + " @" + detectedAt
                    + " score " + healthScore + " " + healthTier;
        }
    }

    record Seen(Map<AlertKey, List<Integer>> alerts, Map<AlertKey, List<String>> alertVersions, Map<String, Integer> commands,
            Map<String, Integer> health, int deadLetters) {
        int alertCount() {
            return alerts.values().stream().mapToInt(List::size).sum();
        }

        int commandCount() {
            return commands.values().stream().mapToInt(Integer::intValue).sum();
        }

        Map<String, Long> alertsByRuleVersion() {
            return alertVersions.values().stream().flatMap(List::stream)
                    .collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
        }
    }

    record Expected(Map<AlertKey, Integer> alertScores, Map<String, Integer> commands, Map<String, Integer> health) {}

    /** Differences of one kind of output: expected but not seen, seen but never expected, seen more often than expected. */
    record Diff(int expected, int seen, int lost, int extra, int duplicated, List<String> examples) {
        boolean clean() {
            return lost == 0 && extra == 0 && duplicated == 0;
        }

        @Override
        public String toString() {
            return String.format("expected %d, seen %d: lost %d, extra %d, duplicated %d%s", expected, seen, lost, extra, duplicated,
                    examples.isEmpty() ? "" : " e.g. " + examples);
        }
    }

    /** The backtest's alerts and commands up to {@code cutoff}, the furthest the streaming job's watermark gets. */
    static Expected expected(Path backtestOut, Instant cutoff) throws Exception {
        Map<AlertKey, Integer> alerts = new HashMap<>();
        for (String line : Files.readAllLines(backtestOut.resolve("alerts.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode a = JSON.readTree(line);
            if (Instant.parse(a.get("detectedAt").asText()).isAfter(cutoff)) continue;
            AlertKey k = new AlertKey(a.get("accountId").asText(), a.get("signal").asText(), a.get("status").asText(),
                    a.get("severity").asText(), a.get("episodeStart").asText(), a.get("detectedAt").asText(),
                    a.path("healthScore").isMissingNode() || a.get("healthScore").isNull() ? null : a.get("healthScore").asInt(),
                    a.path("healthTier").isMissingNode() || a.get("healthTier").isNull() ? null : a.get("healthTier").asText());
            if (alerts.put(k, a.path("healthScore").isMissingNode() ? null : a.get("healthScore").asInt()) != null) {
                throw new IllegalStateException("the backtest has two alerts " + k);
            }
        }
        Map<String, Integer> commands = new HashMap<>();
        for (String line : Files.readAllLines(backtestOut.resolve("commands.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode c = JSON.readTree(line);
            if (Instant.parse(c.get("issuedAt").asText()).isAfter(cutoff)) continue;
            commands.merge(commandKey(withoutVersion(line)), 1, Integer::sum);
        }
        Map<String, Integer> health = new HashMap<>();
        for (String line : Files.readAllLines(backtestOut.resolve("health.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode h = JSON.readTree(line);
            if (h.get("final").asBoolean() || Instant.parse(h.get("asOf").asText()).isAfter(cutoff)) continue;
            health.merge(healthKey(withoutVersion(line)), 1, Integer::sum);
        }
        return new Expected(alerts, commands, health);
    }

    /** A command as compared: its whole JSON (parameters filled from the health score included) but its rules version. */
    private static String commandKey(com.fasterxml.jackson.databind.node.ObjectNode c) {
        return c.toString();
    }

    /** A health update as compared: account, time, score, tier and every component; not its rules version. */
    private static String healthKey(com.fasterxml.jackson.databind.node.ObjectNode h) {
        h.remove("final");
        return h.toString();
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode withoutVersion(String json) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(json);
        n.remove("ruleVersion");
        return n;
    }

    static Seen read(String bootstrap, String alertsTopic, String commandsTopic, String healthTopic, String deadLetterTopic)
            throws Exception {
        Map<AlertKey, List<Integer>> alerts = new HashMap<>();
        Map<AlertKey, List<String>> versions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, alertsTopic)) {
            RiskAlert a = RiskAlert.getDecoder().decode(r.value());
            AlertKey k = new AlertKey(a.getAccountId(), a.getSignal(), a.getStatus().name(), a.getSeverity().name(),
                    a.getEpisodeStart().toString(), a.getDetectedAt().toString(), a.getHealthScore(),
                    a.getHealthTier() == null ? null : a.getHealthTier().toString());
            alerts.computeIfAbsent(k, x -> new ArrayList<>()).add(a.getHealthScore());
            versions.computeIfAbsent(k, x -> new ArrayList<>()).add(a.getRuleVersion());
        }
        Map<String, Integer> commands = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, commandsTopic)) {
            commands.merge(commandKey(withoutVersion(io.churnradar.backtest.results.CommandJson.toJson(
                    RetentionCommand.getDecoder().decode(r.value())))), 1, Integer::sum);
        }
        Map<String, Integer> health = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, healthTopic)) {
            health.merge(healthKey(withoutVersion(io.churnradar.backtest.results.HealthJson.toJson(
                    io.churnradar.alerts.AccountHealth.getDecoder().decode(r.value()), false))), 1, Integer::sum);
        }
        return new Seen(alerts, versions, commands, health, readAll(bootstrap, deadLetterTopic).size());
    }

    static Diff alertDiff(Expected e, Seen s) {
        Map<AlertKey, Integer> seen = new HashMap<>();
        s.alerts().forEach((k, v) -> seen.put(k, v.size()));
        Map<AlertKey, Integer> expected = new HashMap<>();
        e.alertScores().keySet().forEach(k -> expected.put(k, 1));
        return diff(expected, seen);
    }

    static Diff commandDiff(Expected e, Seen s) {
        return diff(e.commands(), s.commands());
    }

    /** Health updates: every one the backtest published up to the cutoff, score, tier and components alike, exactly once. */
    static Diff healthDiff(Expected e, Seen s) {
        return diff(e.health(), s.health());
    }

    private static <K> Diff diff(Map<K, Integer> expected, Map<K, Integer> seen) {
        int lost = 0, extra = 0, dup = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<K, Integer> x : expected.entrySet()) {
            int got = seen.getOrDefault(x.getKey(), 0);
            if (got < x.getValue()) {
                lost += x.getValue() - got;
                if (examples.size() < 5) examples.add("lost " + x.getKey());
            } else if (got > x.getValue()) {
                dup += got - x.getValue();
                if (examples.size() < 5) examples.add("twice " + x.getKey());
            }
        }
        for (Map.Entry<K, Integer> x : seen.entrySet()) {
            if (!expected.containsKey(x.getKey())) {
                extra += x.getValue();
                if (examples.size() < 5) examples.add("extra " + x.getKey());
            }
        }
        int e = expected.values().stream().mapToInt(Integer::intValue).sum();
        int s = seen.values().stream().mapToInt(Integer::intValue).sum();
        return new Diff(e, s, lost, extra, dup, examples);
    }

    /** Every record of the topic up to its last stable offset at the call, read_committed. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Duration timeout = Duration.ofSeconds(60);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            Deadline deadline = Deadline.in(timeout);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                deadline.check(() -> "reading " + topic + " up to " + end);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) out.add(r);
                }
            }
            return out;
        }
    }
}
