package io.churnradar.local.command;

import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.rules.RulesCheck;
import io.churnradar.local.runtime.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar rules validate FILE} and {@code rules publish FILE}: the job's own validation of a
 * rule set ({@link RulesCheck}), offline; and publishing a valid set to the rules topic of a running job.
 */
@Command(name = "rules", header = "check a rules file offline, or publish it to the running job",
        synopsisSubcommandLabel = "(validate | publish)",
        description = "Rules files (YAML) in the format of jobs/src/main/resources/rules/default-rules.yaml; docs/rules.md.")
final class RulesCommand implements Callable<Integer> {
    /** The key of published rule sets: the compacted rules topic keeps the newest set under it. */
    static final String KEY = "rules";
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);
    private static final String FILE_HELP = "A rules file (YAML), in the format of jobs/src/main/resources/rules/default-rules.yaml.";

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    RulesCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        throw Values.usage(spec, "a subcommand is needed");
    }

    @Command(name = "validate", header = "check a rules file offline, as the job does before it applies one",
            description = {"Checks a rules file as the running job checks a rule set published on the rules topic before it applies"
                    + " it: every key, value and range, each error named with its key path (for example signals.inactivity.days)."
                    + " Prints \"FILE: valid, version X\", or each error. Exit code 0 when the file is valid, 1 when it is not."
                    + " Needs neither Kafka nor Flink."})
    int validate(@Parameters(paramLabel = "FILE", description = FILE_HELP) Path file,
            @Option(names = "--config", paramLabel = "FILE", description = {"The job's settings file: the rules are checked against"
                    + " its state.ttl, as the job checks them (dedup.windowDays at most state.ttl). Without it, against the default"
                    + " state.ttl (90d)."}) Path config,
            @Mixin HelpOption help) {
        String text = read(file);
        if (text == null) return 1;
        if (config == null) {
            // As a job with the default settings checks them: a window it would refuse is not valid here either.
            RulesCheck.Result r = RulesCheck.check(text, file.toString(), JobSettings.defaults().stateTtl,
                    "the default; --config FILE checks against the job's");
            return report(file, r) ? 0 : 1;
        }
        return report(file, check(text, file, JobSettings.load(config), config)) ? 0 : 1;
    }

    /** The job's check of a rules file; with the job's settings from {@code config}, against its state.ttl too. */
    private static RulesCheck.Result check(String text, Path file, JobSettings settings, Path config) {
        return settings == null ? RulesCheck.check(text, file.toString())
                : RulesCheck.check(text, file.toString(), settings.stateTtl, "in " + config);
    }

    @Command(name = "publish", header = "validate a rules file, then publish it to the running job's rules topic",
            description = {"Validates a rules file (as 'rules validate' does) and, when it is valid, produces its text to the rules"
                    + " topic (key \"rules\"), from which the running job applies it without a restart. The job answers APPLIED or"
                    + " REJECTED (with each error) on the rules status topic; with --wait this command waits for that answer and"
                    + " prints it. Exit code 0 when published (and, with --wait, applied), 1 when the file is not valid, was rejected,"
                    + " or no answer came in time. See docs/rules.md."})
    int publish(@Parameters(paramLabel = "FILE", description = FILE_HELP) Path file,
            @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
                    description = "Kafka bootstrap servers of the job's cluster (required without --config).") String serversOption,
            @Option(names = "--config", paramLabel = "FILE", description = {"The job's settings file: its Kafka servers, client"
                    + " properties (SASL, SSL, secrets as $${env:VAR} or $${file:/path}) and topics; the options above win. The rules"
                    + " are checked against its state.ttl too."}) Path config,
            @Option(names = "--topic", paramLabel = "TOPIC", description = "Rules topic (default churn.rules).") String topicOption,
            @Option(names = "--wait", paramLabel = "DURATION", description = {"Wait up to this long (e.g. 30s, 2m) for the job's answer and"
                    + " print it."}) Duration wait,
            @Option(names = "--status-topic", paramLabel = "TOPIC", description = {"Where the job answers (default churn.rules-status);"
                    + " with --wait."}) String statusTopicOption,
            @Mixin HelpOption help) throws Exception {
        // The job's own settings, so that the publisher connects as every client of the job does.
        JobSettings defaults = config == null ? JobSettings.defaults() : JobSettings.load(config);
        String servers = serversOption != null ? serversOption : config != null ? defaults.bootstrapServers : null;
        if (servers == null) {
            throw Values.usage(spec.subcommands().get("publish").getCommandSpec(),
                    "Missing required option: '--bootstrap-servers=HOST:PORT' (or --config FILE, the job's settings)");
        }
        Map<String, String> clientProperties = defaults.clientProperties();
        String topic = topicOption != null ? topicOption : defaults.rulesTopic;
        String statusTopic = statusTopicOption != null ? statusTopicOption : defaults.rulesStatusTopic;
        CommandSpec publishSpec = spec.subcommands().get("publish").getCommandSpec();
        if (topic.isBlank()) throw Values.usage(publishSpec, "--topic: give the rules topic's name (default churn.rules)");
        if (statusTopic.isBlank()) throw Values.usage(publishSpec, "--status-topic: give the status topic's name (default churn.rules-status)");
        if (statusTopic.equals(topic)) {
            throw Values.usage(publishSpec, "--status-topic " + statusTopic + " is the rules topic (--topic): the job answers on a topic of its own");
        }
        String text = read(file);
        if (text == null) return 1;
        RulesCheck.Result check = check(text, file, config == null ? null : defaults, config);
        if (!report(file, check)) {
            out.println("Not published.");
            return 1;
        }
        String unreachable = missingTopics(publishSpec, servers, clientProperties, wait == null ? List.of(topic) : List.of(topic, statusTopic));
        if (unreachable != null) {
            out.println(unreachable);
            out.println("Not published.");
            return 1;
        }

        try (KafkaConsumer<byte[], byte[]> statuses = wait == null ? null : statusReader(servers, statusTopic, clientProperties)) {
            RecordMetadata published;
            try (KafkaProducer<byte[], byte[]> producer = producer(servers, clientProperties)) {
                published = producer.send(new ProducerRecord<>(topic, KEY.getBytes(StandardCharsets.UTF_8),
                        text.getBytes(StandardCharsets.UTF_8))).get(KAFKA_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                out.printf("Cannot publish to %s at %s: %s%n", topic, servers, e.getCause().getMessage());
                return 1;
            }
            out.printf("Published version %s to %s (partition %d, offset %d).%n", check.version(), topic,
                    published.partition(), published.offset());
            if (statuses == null) {
                out.printf("The job answers APPLIED or REJECTED on %s (--wait 30s waits for it).%n", statusTopic);
                return 0;
            }
            return awaitStatus(statuses, statusTopic, published, wait);
        } catch (KafkaException e) {
            out.printf("Cannot reach Kafka at %s: %s%n", servers, e.getMessage());
            return 1;
        }
    }

    /**
     * Whether the cluster answers and holds the topics, asked before anything is produced: a producer alone waits its
     * whole timeout and then says only that the topic is not in its metadata, whether the broker is down or the topic
     * missing. Null when both are fine, else what is wrong and what to check.
     */
    private static String missingTopics(CommandSpec spec, String servers, Map<String, String> clientProperties, List<String> topics)
            throws InterruptedException {
        Set<String> existing;
        try {
            existing = ClusterTopics.list(servers, clientProperties, KAFKA_TIMEOUT);
        } catch (ClusterTopics.UnusableAddress e) {
            throw Values.usage(spec, "--bootstrap-servers " + e.getMessage());
        } catch (ExecutionException | TimeoutException e) {
            return "Cannot reach Kafka at " + servers + ": " + ClusterTopics.noAnswer(e, KAFKA_TIMEOUT)
                    + ".\n  Check that it runs and is reachable from here, and that --bootstrap-servers"
                    + " (or the config's kafka.bootstrapServers and client properties) name it.";
        }
        List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
        if (missing.isEmpty()) {
            try {
                String wrong = ClusterTopics.notARulesTopic(servers, clientProperties, KAFKA_TIMEOUT, topics.get(0));
                return wrong == null ? null : "Not the rules topic: " + wrong + ". Is --topic the job's rules topic?";
            } catch (ExecutionException | TimeoutException e) {
                return "Cannot read the settings of " + topics.get(0) + " at " + servers + ": " + ClusterTopics.noAnswer(e, KAFKA_TIMEOUT);
            }
        }
        return "The Kafka cluster at " + servers + " has no topic " + String.join(", ", missing) + ": is it the job's cluster, and are"
                + " --topic and --status-topic the job's rules topics? (docs/rules.md: the rules topic has one partition and is compacted)";
    }

    /** The file's text, or null after saying why it cannot be read. */
    private String read(Path file) {
        try {
            return io.churnradar.config.YamlTree.readText(file);
        } catch (io.churnradar.config.ConfigException e) {
            out.printf("%s: %s%n", file, String.join("; ", e.errors()));
        } catch (NoSuchFileException e) {
            out.printf("%s: no such file%n", file);
        } catch (CharacterCodingException e) {
            out.printf("%s: not UTF-8 text%n", file);
        } catch (IOException e) {
            out.printf("%s: cannot read the file: %s%n", file, e.getMessage());
        }
        return null;
    }

    /** Prints the verdict: valid with its version, or each error with its key path. */
    private boolean report(Path file, RulesCheck.Result r) {
        if (r.valid()) {
            out.printf("%s: valid, version %s%n", file, r.version());
            return true;
        }
        int n = r.errors().size();
        out.printf("%s: not valid%s, %d problem%s:%n", file, r.version() == null ? "" : " (version " + r.version() + ")", n,
                n == 1 ? "" : "s");
        for (String e : r.errors()) out.println("  " + e);
        return false;
    }

    private static KafkaProducer<byte[], byte[]> producer(String servers, Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "churn-radar-rules-publish");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis()));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis() / 2));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A read_committed reader of the status topic, positioned at its end before the set is published. */
    private static KafkaConsumer<byte[], byte[]> statusReader(String servers, String statusTopic, Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "churn-radar-rules-status");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis()));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = c.partitionsFor(statusTopic, KAFKA_TIMEOUT).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (partitions.isEmpty()) throw new KafkaException("the topic " + statusTopic + " does not exist");
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position); // resolve the end now: the answer comes after it
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private int awaitStatus(KafkaConsumer<byte[], byte[]> statuses, String statusTopic, RecordMetadata published, Duration wait) {
        out.printf("Waiting up to %s for the job's answer on %s ...%n", Durations.human(wait), statusTopic);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : statuses.poll(Duration.ofMillis(200))) {
                RulesStatus s;
                try {
                    s = RulesStatus.getDecoder().decode(r.value());
                } catch (IOException | RuntimeException e) {
                    continue; // not a status of ours
                }
                if (s.getSourceTopic().equals(published.topic()) && s.getSourcePartition() == published.partition()
                        && s.getSourceOffset() == published.offset()) {
                    return printStatus(s);
                }
            }
        }
        out.printf("No answer on %s within %s: is the job running and reading %s?%n", statusTopic, Durations.human(wait),
                published.topic());
        return 1;
    }

    /** One status, readable; 0 when applied. */
    int printStatus(RulesStatus s) {
        if (s.getStatus() == RulesDecision.APPLIED) {
            out.println(s.getVersion().equals(s.getPreviousVersion())
                    ? "APPLIED: rules " + s.getVersion() + " were in force already; applied again."
                    : "APPLIED: rules " + s.getVersion() + " are in force (were " + s.getPreviousVersion() + ").");
            return 0;
        }
        out.printf("REJECTED: rules %s were not applied; %s stay in force:%n", s.getVersion() == null ? "(no version)" : s.getVersion(),
                s.getActiveVersion());
        for (String e : s.getErrors()) out.println("  " + e);
        // Compaction keeps the newest record of the key, and the job rejects only what it knows to be wrong now (a version
        // taken with other rules): a job started later without a checkpoint would read this set alone, and apply it.
        out.printf("This rejected set is now the newest on the rules topic, which compaction keeps: a job started without a"
                + " checkpoint would apply it. Publish the file of %s again to put it back on top.%n", s.getActiveVersion());
        return 1;
    }
}
