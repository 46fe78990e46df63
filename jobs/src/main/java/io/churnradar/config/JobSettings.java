package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.ingest.formats.PayloadMapper;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the streaming job reads and writes, and how it keeps time: the job's YAML config
 * ({@code flink-conf/churn-radar.yaml} documents every key). Kafka client properties under
 * {@code kafka.properties} (SASL, SSL, ...) pass straight through to every consumer and producer.
 */
public final class JobSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where a new consumer group starts reading. */
    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED }

    public String bootstrapServers = "localhost:9092";
    public String groupId = "churn-radar";
    public StartingOffsets startingOffsets = StartingOffsets.COMMITTED;
    /** Stop at the offsets current at start: for tests and replays of a fixed backlog. */
    public boolean bounded = false;
    /** As written in the settings: a secret stays a reference ({@code ${env:VAR}}, {@code ${file:/path}}) here. */
    public Map<String, String> kafkaProperties = new LinkedHashMap<>();
    public String transactionalIdPrefix = "churn-radar";
    public Duration transactionTimeout = Duration.ofMinutes(15);

    /**
     * {@code delivery.guarantee}: how the Kafka sinks write (docs/operations.md, "Delivery guarantee").
     * {@link #EXACTLY_ONCE}: in transactions committed on checkpoints, so a read_committed consumer sees each
     * record once, up to a checkpoint interval after it was decided. {@link #AT_LEAST_ONCE}: at once, without
     * transactions, for the lowest latency; after a failure the records written since the last checkpoint
     * come again, with the same ids (alertId, commandId), so consumers de-duplicate by them.
     */
    public enum Delivery {
        EXACTLY_ONCE("exactly-once"), AT_LEAST_ONCE("at-least-once");

        public final String id;

        Delivery(String id) {
            this.id = id;
        }

        /** The guarantee of a settings value, or null. */
        public static Delivery of(String id) {
            for (Delivery d : values()) if (d.id.equals(id)) return d;
            return null;
        }

        public static String ids() {
            return java.util.Arrays.stream(values()).map(d -> d.id).collect(java.util.stream.Collectors.joining(", "));
        }
    }

    public Delivery delivery = Delivery.EXACTLY_ONCE;

    public String loginTopic = "events.login";
    public String usageTopic = "events.usage";
    public String supportTicketTopic = "events.support-ticket";
    public String paymentTopic = "events.payment";
    public String feedbackTopic = "events.feedback";
    public String subscriptionTopic = "events.subscription";
    public String alertsTopic = "churn.alerts";
    public String deadLetterTopic = "churn.dead-letter";
    /** Rule sets published while the job runs (compacted, one partition): value = the rules YAML text. */
    public String rulesTopic = "churn.rules";
    /** The job's APPLIED / REJECTED answer to each rule set. */
    public String rulesStatusTopic = "churn.rules-status";
    /** Health score updates (compacted), key = account id. */
    public String accountHealthTopic = "churn.account-health";
    /** Retention commands to execute (disposition SEND only), key = account id; docs/playbooks.md. */
    public String commandsTopic = "churn.commands";
    /** Every playbook decision with its disposition (SEND, HOLDOUT, CAPPED, SUPPRESSED) and reason. */
    public String commandsAuditTopic = "churn.commands-audit";
    /** Per playbook and day: accounts treated and held out, saved and lost. */
    public String playbookOutcomesTopic = "churn.playbook-outcomes";
    /** Retention KPIs per day and segment (compacted), key = day|segment; docs/analysts.md. */
    public String kpisTopic = "churn.kpis";
    /** How the retention KPIs segment accounts by MRR, and how many cancellation reasons they name. */
    public io.churnradar.kpi.KpiSettings kpis = io.churnradar.kpi.KpiSettings.defaults();

    /**
     * The format of each topic read, by topic (docs/inputs.md): the six event topics are read as
     * churn-radar unless named here; any other topic named here is read too.
     */
    public Map<String, InputFormat> topicFormats = new LinkedHashMap<>();
    /** The options of the formats, for the topics and the backtest's files alike. */
    public FormatOptions formatOptions = FormatOptions.defaults();

    /**
     * How far behind the newest event read an event may be dated and still be on time. Under event-time
     * order every event waits up to this long before it applies (docs/operations.md, "Event time").
     */
    public Duration maxOutOfOrderness = DEFAULT_MAX_OUT_OF_ORDERNESS;
    public static final Duration DEFAULT_MAX_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    /** {@code eventTime.order} and {@code eventTime.maxBufferedPerAccount}: the order the detector applies events in. */
    public io.churnradar.detect.EventOrdering eventOrdering = io.churnradar.detect.EventOrdering.defaults()
            .withDayCloseSpread(io.churnradar.detect.EventOrdering.DEFAULT_DAY_CLOSE_SPREAD);
    /** A partition without events this long stops holding event time back (zero: never), unless its topic says otherwise. */
    public Duration idleness = Duration.ofMinutes(1);
    /**
     * Per topic read, its own idleness ({@code inputs.TOPIC.idleness}): sparse topics can go idle sooner
     * than {@link #idleness}, at the price that a record of theirs arriving after is late if it is
     * dated behind the event time the other topics reached meanwhile.
     */
    public Map<String, Duration> idlenessByTopic = new LinkedHashMap<>();
    /**
     * {@code eventTime.backlogGrace}: how long a partition that wakes from idleness with a backlog (its first
     * event dated further than this behind the wall clock) holds event time where it was, so that the other
     * partitions of the same backlog wake before event time moves past their first records (zero: never).
     */
    public Duration backlogGrace = Duration.ofSeconds(5);
    public Duration stateTtl = Duration.ofDays(90);
    /** An event dated further than this ahead of the wall clock is dead-lettered (it would move event time). */
    public Duration maxAheadOfNow = Duration.ofHours(1);
    /** A record larger than this is dead-lettered undecoded (its first bytes, size and SHA-256 kept). */
    public int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;
    /**
     * A dead letter keeps a record within the limit whole: above this it would not fit the dead-letter
     * topic's default max.message.bytes (1 MB) and fail its writer.
     */
    public static final int MAX_MAX_RECORD_BYTES = 768 * 1024;

    /** HTTP endpoints that receive retention commands (docs/webhooks.md); none by default. */
    public io.churnradar.webhook.WebhookSettings webhooks = io.churnradar.webhook.WebhookSettings.none();

    /** The alias under which {@link #clientProperties()} registers Kafka's provider of environment variables. */
    public static final String ENV_PROVIDER = "env";
    /** The alias of {@link FileSecretConfigProvider}. */
    public static final String FILE_PROVIDER = "file";

    /**
     * The properties every Kafka client of the job is made with (sources, sinks, admin and dead-letter
     * clients, the launcher's topic check): {@link #kafkaProperties}, and when a value refers to a
     * secret ({@code ${env:VAR}}, {@code ${file:/path}}), the Kafka config providers that resolve it.
     * Kafka resolves them inside each client as it is created (on the TaskManager for the job's own
     * clients), so only the reference travels in the job graph, and Kafka logs password-type values
     * as {@code [hidden]}. Providers the user configured under the same alias are kept.
     */
    public Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>(kafkaProperties);
        boolean env = false;
        boolean file = false;
        for (String v : kafkaProperties.values()) {
            if (v == null) continue;
            env |= v.contains("${" + ENV_PROVIDER + ":");
            file |= v.contains("${" + FILE_PROVIDER + ":");
        }
        if (!env && !file) return p;
        java.util.List<String> aliases = new java.util.ArrayList<>();
        String configured = p.get("config.providers");
        if (configured != null) {
            for (String a : configured.split(",")) if (!a.isBlank()) aliases.add(a.strip());
        }
        if (env && !aliases.contains(ENV_PROVIDER)) {
            aliases.add(ENV_PROVIDER);
            p.put("config.providers." + ENV_PROVIDER + ".class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        }
        if (file && !aliases.contains(FILE_PROVIDER)) {
            aliases.add(FILE_PROVIDER);
            p.put("config.providers." + FILE_PROVIDER + ".class", FileSecretConfigProvider.class.getName());
        }
        p.put("config.providers", String.join(",", aliases));
        return p;
    }

    /** The topic that carries events of this type. */
    public String topicOf(io.churnradar.ingest.EventType type) {
        return switch (type) {
            case LOGIN -> loginTopic;
            case USAGE -> usageTopic;
            case SUPPORT_TICKET -> supportTicketTopic;
            case PAYMENT -> paymentTopic;
            case FEEDBACK -> feedbackTopic;
            case SUBSCRIPTION -> subscriptionTopic;
        };
    }

    /** The topics the job reads, one per event type. */
    public java.util.List<String> eventTopics() {
        return java.util.List.of(loginTopic, usageTopic, supportTicketTopic, paymentTopic, feedbackTopic, subscriptionTopic);
    }

    /** Every topic the job reads events from: the six event topics, then the other inputs in their order. */
    public java.util.List<String> inputTopics() {
        java.util.List<String> out = new java.util.ArrayList<>(eventTopics());
        for (String t : topicFormats.keySet()) {
            if (!out.contains(t)) out.add(t);
        }
        return out;
    }

    /** How long a partition of the topic may go without events before it stops holding event time back. */
    public Duration idlenessOf(String topic) {
        return idlenessByTopic.getOrDefault(topic, idleness);
    }

    /** The format of a topic read. */
    public InputFormat formatOf(String topic) {
        return topicFormats.getOrDefault(topic, InputFormat.CHURN_RADAR);
    }

    /** The event type of one of the six event topics; null for any other topic. */
    public io.churnradar.ingest.EventType typeOfTopic(String topic) {
        for (io.churnradar.ingest.EventType t : io.churnradar.ingest.EventType.values()) {
            if (topicOf(t).equals(topic)) return t;
        }
        return null;
    }

    /** The payload mapper of every topic read. */
    public Map<String, PayloadMapper> mappersByTopic() {
        Map<String, PayloadMapper> m = new LinkedHashMap<>();
        for (String t : inputTopics()) m.put(t, formatOf(t).mapper(typeOfTopic(t), formatOptions));
        return m;
    }

    /** Whether some topic maps calls to accounts through learned user links (a Segment topic). */
    public boolean learnsUserLinks() {
        return inputTopics().stream().anyMatch(t -> formatOf(t).learnsUserLinks());
    }

    /** The topics the job writes: alerts, dead letters, rules statuses, account health, commands, their audit, playbook outcomes, KPIs. */
    public java.util.List<String> outputTopics() {
        return java.util.List.of(alertsTopic, deadLetterTopic, rulesStatusTopic, accountHealthTopic, commandsTopic,
                commandsAuditTopic, playbookOutcomesTopic, kpisTopic);
    }

    /**
     * {@code inputs} maps a topic to its format ({@code topic: json}) or to its settings
     * ({@code topic: {format: json, idleness: 30s}}): takes the idleness of the second form out into
     * {@link #idlenessByTopic} and hands the formats on as the first form.
     */
    private static JsonNode inputFormats(JsonNode inputs, JobSettings s, YamlTree y) {
        if (!inputs.isObject()) return inputs;
        com.fasterxml.jackson.databind.node.ObjectNode formats = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = inputs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String topic = e.getKey();
            JsonNode v = e.getValue();
            if (!v.isObject()) {
                formats.set(topic, v);
                continue;
            }
            String path = "inputs." + topic;
            y.onlyKeys(v, path, Set.of("format", "idleness"));
            JsonNode idle = YamlTree.child(v, "idleness");
            if (!idle.isMissingNode() && !idle.isNull()) {
                s.idlenessByTopic.put(topic, y.duration(idle, path + ".idleness", s.idleness, Duration.ZERO, Duration.ofDays(1)));
            }
            JsonNode format = YamlTree.child(v, "format");
            if (!format.isMissingNode() && !format.isNull()) {
                formats.set(topic, format);
            } else if (s.typeOfTopic(topic) == null) {
                y.error(path + ".format", "missing: a topic that is none of the six event topics needs its format; allowed: "
                        + InputFormat.ids().replace("churn-radar, ", ""));
            }
        }
        return formats;
    }

    /** {@code eventTime.order} (event-time or arrival), {@code eventTime.maxBufferedPerAccount} and {@code eventTime.dayCloseSpread}. */
    private static io.churnradar.detect.EventOrdering eventOrdering(JsonNode et, YamlTree y, io.churnradar.detect.EventOrdering d) {
        io.churnradar.detect.EventOrdering.Order order = d.order();
        JsonNode o = YamlTree.child(et, "order");
        if (!o.isMissingNode() && !o.isNull()) {
            order = io.churnradar.detect.EventOrdering.Order.of(o.asText().trim());
            if (order == null) {
                y.error("eventTime.order", "'" + o.asText() + "' is not allowed; allowed values: "
                        + java.util.Arrays.stream(io.churnradar.detect.EventOrdering.Order.values()).map(v -> v.id)
                                .collect(java.util.stream.Collectors.joining(", ")));
                order = d.order();
            }
        }
        int max = y.integer(YamlTree.child(et, "maxBufferedPerAccount"), "eventTime.maxBufferedPerAccount",
                d.maxBufferedPerAccount(), 1, io.churnradar.detect.EventOrdering.MAX_MAX_BUFFERED);
        Duration spread = y.duration(YamlTree.child(et, "dayCloseSpread"), "eventTime.dayCloseSpread", d.dayCloseSpread(),
                Duration.ZERO, io.churnradar.detect.EventOrdering.MAX_DAY_CLOSE_SPREAD);
        return new io.churnradar.detect.EventOrdering(order, max, spread);
    }

    /** {@code kpis: {mrrBands: [100, 1000, 10000], topCancelReasons: 5}}: the bands' upper bounds in currency units. */
    private static io.churnradar.kpi.KpiSettings kpiSettings(JsonNode k, YamlTree y) {
        io.churnradar.kpi.KpiSettings d = io.churnradar.kpi.KpiSettings.defaults();
        if (k.isMissingNode() || k.isNull()) return d;
        y.onlyKeys(k, "kpis", Set.of("mrrBands", "topCancelReasons"));
        java.util.List<Long> bounds = d.bounds();
        JsonNode b = YamlTree.child(k, "mrrBands");
        if (!b.isMissingNode() && !b.isNull()) {
            bounds = new java.util.ArrayList<>();
            if (!b.isArray() || b.isEmpty()) {
                y.error("kpis.mrrBands", "expected a list of band bounds in currency units, e.g. [100, 1000, 10000]");
            } else {
                for (JsonNode n : b) {
                    if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() <= 0) {
                        y.error("kpis.mrrBands", "expected whole positive amounts, got " + n);
                    } else {
                        bounds.add(n.asLong());
                    }
                }
            }
        }
        int top = y.integer(YamlTree.child(k, "topCancelReasons"), "kpis.topCancelReasons", d.topReasons, 0,
                io.churnradar.kpi.KpiSettings.MAX_REASONS);
        try {
            return io.churnradar.kpi.KpiSettings.of(bounds, top);
        } catch (IllegalArgumentException e) {
            if (!bounds.isEmpty()) y.error("kpis.mrrBands", e.getMessage().replace("kpis.mrrBands ", ""));
            return d;
        }
    }

    public static JobSettings defaults() {
        return new JobSettings();
    }

    public static JobSettings load(Path file) {
        return fromYaml(YamlTree.readFile(file), file.toString(), file.toAbsolutePath().getParent());
    }

    public static JobSettings parse(String yaml, String source) {
        return fromYaml(YamlTree.parse(yaml, source), source, null);
    }

    /** {@code base}: the folder of the settings file, where relative file names start. */
    private static JobSettings fromYaml(JsonNode root, String source, Path base) {
        YamlTree y = YamlTree.forSource(source);
        JobSettings s = new JobSettings();
        y.onlyKeys(root, "", Set.of("kafka", "topics", "inputs", "formats", "eventTime", "state", "limits", "webhooks", "kpis",
                "delivery"));

        JsonNode k = YamlTree.child(root, "kafka");
        y.onlyKeys(k, "kafka", Set.of("bootstrapServers", "groupId", "startingOffsets", "bounded", "properties",
                "transactionalIdPrefix", "transactionTimeout"));
        s.bootstrapServers = y.text(YamlTree.child(k, "bootstrapServers"), "kafka.bootstrapServers", s.bootstrapServers);
        s.groupId = y.text(YamlTree.child(k, "groupId"), "kafka.groupId", s.groupId);
        s.startingOffsets = y.enumValue(YamlTree.child(k, "startingOffsets"), "kafka.startingOffsets", StartingOffsets.class, s.startingOffsets);
        s.bounded = y.bool(YamlTree.child(k, "bounded"), "kafka.bounded", false);
        s.transactionalIdPrefix = y.text(YamlTree.child(k, "transactionalIdPrefix"), "kafka.transactionalIdPrefix", s.transactionalIdPrefix);
        // Brokers cap transactions at transaction.max.timeout.ms, 15 minutes by default: above it the sink cannot start.
        s.transactionTimeout = y.duration(YamlTree.child(k, "transactionTimeout"), "kafka.transactionTimeout",
                s.transactionTimeout, Duration.ofSeconds(10), Duration.ofMinutes(15));
        JsonNode props = YamlTree.child(k, "properties");
        if (!props.isMissingNode() && !props.isNull()) {
            if (!props.isObject()) {
                y.error("kafka.properties", "expected a mapping of Kafka client properties");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> p = it.next();
                    s.kafkaProperties.put(p.getKey(), p.getValue().asText());
                }
            }
        }

        JsonNode dv = YamlTree.child(root, "delivery");
        y.onlyKeys(dv, "delivery", Set.of("guarantee"));
        JsonNode g = YamlTree.child(dv, "guarantee");
        if (!g.isMissingNode() && !g.isNull()) {
            Delivery d = Delivery.of(g.asText().trim());
            if (d == null) y.error("delivery.guarantee", "'" + g.asText() + "' is not allowed; allowed values: " + Delivery.ids());
            else s.delivery = d;
        }

        JsonNode t = YamlTree.child(root, "topics");
        y.onlyKeys(t, "topics", Set.of("login", "usage", "supportTicket", "payment", "feedback", "subscription", "alerts", "deadLetter",
                "rules", "rulesStatus", "accountHealth", "commands", "commandsAudit", "playbookOutcomes", "kpis"));
        s.loginTopic = y.text(YamlTree.child(t, "login"), "topics.login", s.loginTopic);
        s.usageTopic = y.text(YamlTree.child(t, "usage"), "topics.usage", s.usageTopic);
        s.supportTicketTopic = y.text(YamlTree.child(t, "supportTicket"), "topics.supportTicket", s.supportTicketTopic);
        s.paymentTopic = y.text(YamlTree.child(t, "payment"), "topics.payment", s.paymentTopic);
        s.feedbackTopic = y.text(YamlTree.child(t, "feedback"), "topics.feedback", s.feedbackTopic);
        s.subscriptionTopic = y.text(YamlTree.child(t, "subscription"), "topics.subscription", s.subscriptionTopic);
        s.alertsTopic = y.text(YamlTree.child(t, "alerts"), "topics.alerts", s.alertsTopic);
        s.deadLetterTopic = y.text(YamlTree.child(t, "deadLetter"), "topics.deadLetter", s.deadLetterTopic);
        s.rulesTopic = y.text(YamlTree.child(t, "rules"), "topics.rules", s.rulesTopic);
        s.rulesStatusTopic = y.text(YamlTree.child(t, "rulesStatus"), "topics.rulesStatus", s.rulesStatusTopic);
        s.accountHealthTopic = y.text(YamlTree.child(t, "accountHealth"), "topics.accountHealth", s.accountHealthTopic);
        s.commandsTopic = y.text(YamlTree.child(t, "commands"), "topics.commands", s.commandsTopic);
        s.commandsAuditTopic = y.text(YamlTree.child(t, "commandsAudit"), "topics.commandsAudit", s.commandsAuditTopic);
        s.playbookOutcomesTopic = y.text(YamlTree.child(t, "playbookOutcomes"), "topics.playbookOutcomes", s.playbookOutcomesTopic);
        s.kpisTopic = y.text(YamlTree.child(t, "kpis"), "topics.kpis", s.kpisTopic);

        s.topicFormats = FormatSettings.inputs(inputFormats(YamlTree.child(root, "inputs"), s, y), y);
        s.formatOptions = FormatSettings.options(YamlTree.child(root, "formats"), y, base);
        for (Map.Entry<String, InputFormat> e : s.topicFormats.entrySet()) {
            if (e.getValue().needsTopicType() && s.typeOfTopic(e.getKey()) == null) {
                y.error("inputs." + e.getKey(), "churn-radar Avro is read by topic, and this is none of the six event topics;"
                        + " allowed here: " + InputFormat.ids().replace("churn-radar, ", ""));
            }
            if (e.getValue() == InputFormat.AVRO_CONFLUENT && s.formatOptions.schemaRegistryUrl == null
                    && s.formatOptions.localSchemas.isEmpty()) {
                y.error("inputs." + e.getKey(), "avro-confluent needs formats.avro-confluent.schemaRegistryUrl or schemasFile");
            }
        }

        JsonNode et = YamlTree.child(root, "eventTime");
        y.onlyKeys(et, "eventTime", Set.of("maxOutOfOrderness", "idleness", "maxAheadOfNow", "order", "maxBufferedPerAccount",
                "backlogGrace", "dayCloseSpread"));
        s.maxOutOfOrderness = y.duration(YamlTree.child(et, "maxOutOfOrderness"), "eventTime.maxOutOfOrderness",
                s.maxOutOfOrderness, Duration.ZERO, Duration.ofDays(7));
        s.idleness = y.duration(YamlTree.child(et, "idleness"), "eventTime.idleness", s.idleness, Duration.ZERO, Duration.ofDays(1));
        s.backlogGrace = y.duration(YamlTree.child(et, "backlogGrace"), "eventTime.backlogGrace", s.backlogGrace,
                Duration.ZERO, Duration.ofMinutes(10));
        s.maxAheadOfNow = y.duration(YamlTree.child(et, "maxAheadOfNow"), "eventTime.maxAheadOfNow", s.maxAheadOfNow,
                Duration.ofMinutes(1), Duration.ofDays(30));
        s.eventOrdering = eventOrdering(et, y, s.eventOrdering);

        JsonNode lim = YamlTree.child(root, "limits");
        y.onlyKeys(lim, "limits", Set.of("maxRecordBytes"));
        s.maxRecordBytes = y.integer(YamlTree.child(lim, "maxRecordBytes"), "limits.maxRecordBytes", s.maxRecordBytes,
                1024, MAX_MAX_RECORD_BYTES);

        JsonNode st = YamlTree.child(root, "state");
        y.onlyKeys(st, "state", Set.of("ttl", "accountCache"));
        // Shorter than the longest rule horizon would forget an account before its deadlines fire.
        s.stateTtl = y.duration(YamlTree.child(st, "ttl"), "state.ttl", s.stateTtl, Duration.ofDays(30), Duration.ofDays(3650));
        s.eventOrdering = s.eventOrdering.withAccountCache(y.integer(YamlTree.child(st, "accountCache"), "state.accountCache",
                s.eventOrdering.accountCache(), 0, io.churnradar.detect.EventOrdering.MAX_ACCOUNT_CACHE));

        s.webhooks = io.churnradar.webhook.WebhookSettings.fromYaml(root, y);
        s.kpis = kpiSettings(YamlTree.child(root, "kpis"), y);

        y.throwIfInvalid();
        return s;
    }
}
