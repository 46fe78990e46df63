package io.churnradar;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.config.ConfigException;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.guard.EventTimeGuard;
import io.churnradar.guard.GuardedDeserializer;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.ingest.Ingested;
import io.churnradar.ingest.KafkaEventDeserializer;
import io.churnradar.metrics.LabeledCounters;
import io.churnradar.ingest.UserLinkResolver;
import io.churnradar.ingest.formats.PayloadMapper;
import io.churnradar.rules.RulesCheck;
import io.churnradar.rules.RulesStatusSerializer;
import io.churnradar.rules.RulesUpdate;
import io.churnradar.rules.RulesUpdateDeserializer;
import io.churnradar.sink.AvroRecordSerializer;
import io.churnradar.sink.OutputGate;
import io.churnradar.topology.ChurnTopology;
import io.churnradar.topology.Outputs;
import io.churnradar.webhook.WebhookSink;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The streaming job: the event topics in, risk alerts, account health and dead letters out, exactly
 * once (or at least once, {@code delivery.guarantee}); rule sets published on the rules topic while it runs are validated, acknowledged on the rules
 * status topic and applied without a restart (docs/rules.md).
 * Entry point for {@code flink run}: {@code --config FILE} (Kafka, topics, event time) and
 * {@code --rules FILE} (the detection rules until a set is published); both optional, defaults otherwise.
 */
public final class StreamingJob {
    public static final String JOB_NAME = "churn-radar";
    static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 30_000;
    static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private StreamingJob() {}

    public static void main(String[] args) throws Exception {
        JobSettings settings = JobSettings.defaults();
        Rules rules = Rules.defaults();
        String configSource = null;
        String rulesSource = "the default rules";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    configSource = value(args, ++i, "--config");
                    settings = JobSettings.load(Path.of(configSource));
                }
                case "--rules" -> {
                    rulesSource = value(args, ++i, "--rules");
                    rules = Rules.load(Path.of(rulesSource));
                }
                default -> throw new ConfigException("command line", List.of(
                        "unknown argument '" + args[i] + "'; allowed: --config FILE, --rules FILE"));
            }
        }
        RulesCheck.requireWithinStateTtl(rules, rulesSource, settings.stateTtl, configSource == null ? "the default" : "in " + configSource);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, settings, rules);
        env.execute(JOB_NAME);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new ConfigException("command line", List.of(flag + " needs a file path"));
        return args[i];
    }

    /** Wires the whole job into {@code env}; tests and the local launcher call it too. */
    public static void build(StreamExecutionEnvironment env, JobSettings settings, Rules rules) {
        // No copy of every record between chained operators: every function makes new objects for what it emits and
        // keeps none of its inputs (records that cross the network are always fresh), as the backtest, which runs the
        // same topology with object reuse, relies on too; the sinks encode each record as they get it.
        env.getConfig().enableObjectReuse();
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            // The exactly-once sinks commit on checkpoints: without them no alert would ever be visible (and the
            // source's offsets, which both guarantees restart from, are stored only in checkpoints).
            env.enableCheckpointing(DEFAULT_CHECKPOINT_INTERVAL_MS);
        }
        DataStream<Ingested> ingested = env.fromSource(
                        io.churnradar.ingest.KafkaEventTimeSource.wrap(kafkaSource(settings, rules), settings.bootstrapServers,
                                settings.clientProperties(), settings.groupId, settings.maxOutOfOrderness, EventTimeWatermarks::eventTimeOf),
                        EventTimeWatermarks.forIngested(settings.maxOutOfOrderness, settings.idleness, settings.idlenessByTopic,
                                settings.backlogGrace),
                        "Kafka events")
                .uid("kafka-events")
                .setParallelism(env.getParallelism());
        if (settings.learnsUserLinks()) ingested = UserLinkResolver.apply(ingested, settings.stateTtl);

        SingleOutputStreamOperator<AccountEvent> events = ingested
                .process(new SplitDeadLetters())
                .uid("split-dead-letters")
                .name("Split off dead letters");

        ChurnTopology.build(events, events.getSideOutput(DEAD_LETTERS), ruleUpdates(env, settings), rules, settings.stateTtl,
                settings.eventOrdering, outputs(settings));
    }

    /** The Kafka sinks of every output, and the webhooks (nothing without endpoints) beside the commands topic. */
    static Outputs<DeadLetter> outputs(JobSettings settings) {
        return Outputs.<DeadLetter>builder()
                .alerts(kafkaSink(settings, settings.alertsTopic, "alerts", AvroRecordSerializer.alerts(settings.alertsTopic)),
                        "Alerts to " + settings.alertsTopic)
                .health(kafkaSink(settings, settings.accountHealthTopic, "account-health",
                        AvroRecordSerializer.health(settings.accountHealthTopic)), "Account health to " + settings.accountHealthTopic)
                .commandsAudit(kafkaSink(settings, settings.commandsAuditTopic, "commands-audit",
                        AvroRecordSerializer.commands(settings.commandsAuditTopic)), "Command audit to " + settings.commandsAuditTopic)
                .commands(kafkaSink(settings, settings.commandsTopic, "commands", AvroRecordSerializer.commands(settings.commandsTopic)),
                        "Commands to " + settings.commandsTopic)
                .alsoOnCommands(toExecute -> WebhookSink.attach(toExecute, settings))
                .playbookOutcomes(kafkaSink(settings, settings.playbookOutcomesTopic, "playbook-outcomes",
                        AvroRecordSerializer.playbookOutcomes(settings.playbookOutcomesTopic)),
                        "Playbook outcomes to " + settings.playbookOutcomesTopic)
                .kpis(Outputs.Output.of(kafkaSink(settings, settings.kpisTopic, "kpis", AvroRecordSerializer.kpis(settings.kpisTopic)),
                        "Retention KPIs to " + settings.kpisTopic), settings.kpis)
                .deadLetters(kafkaSink(settings, settings.deadLetterTopic, "dead-letter",
                        AvroRecordSerializer.deadLetters(settings.deadLetterTopic)), "Dead letters to " + settings.deadLetterTopic)
                .rulesStatus(kafkaSink(settings, settings.rulesStatusTopic, "rules-status",
                        RulesStatusSerializer.forTopic(settings.rulesStatusTopic)), "Rules status to " + settings.rulesStatusTopic)
                .build();
    }

    /**
     * The rule files published on the rules topic, read from its beginning by one subtask (a compacted
     * topic keeps the newest set per key; after a restore the checkpoint's offsets apply); the topology
     * validates them and answers each on the rules status topic.
     */
    static DataStream<RulesUpdate> ruleUpdates(StreamExecutionEnvironment env, JobSettings s) {
        KafkaSourceBuilder<RulesUpdate> b = KafkaSource.<RulesUpdate>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setGroupId(s.groupId)
                .setTopics(s.rulesTopic)
                .setDeserializer(new RulesUpdateDeserializer())
                .setProperties(clientProperties(s))
                .setProperty("isolation.level", "read_committed")
                .setClientIdPrefix(s.groupId + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest());
        if (s.bounded) b.setBounded(OffsetsInitializer.latest());
        // No watermarks: rule sets carry no event time (the detector's operator ignores this input's).
        return env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "Kafka rules")
                .uid("kafka-rules")
                .setParallelism(1);
    }

    static KafkaSource<Ingested> kafkaSource(JobSettings s, Rules rules) {
        Map<String, PayloadMapper> topics = s.mappersByTopic();
        KafkaSourceBuilder<Ingested> b = KafkaSource.<Ingested>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setGroupId(s.groupId)
                .setTopics(List.copyOf(topics.keySet()))
                .setDeserializer(new GuardedDeserializer(new KafkaEventDeserializer(topics), EventTimeGuard.againstClock(
                        s.maxAheadOfNow, Duration.ofDays(rules.dedupWindowDays), Clock.systemUTC()), s.maxRecordBytes))
                .setProperties(clientProperties(s))
                .setProperty("isolation.level", "read_committed")
                .setStartingOffsets(switch (s.startingOffsets) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                });
        if (s.bounded) b.setBounded(OffsetsInitializer.latest());
        return b.build();
    }

    /** An at-least-once sink's producer sends a batch after this long (unless kafka.properties sets linger.ms). */
    static final String AT_LEAST_ONCE_LINGER_MS = "5";

    static <T> KafkaSink<T> kafkaSink(JobSettings s, String topic, String idSuffix,
            org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        var b = KafkaSink.<T>builder()
                .setBootstrapServers(s.bootstrapServers)
                .setKafkaProducerConfig(producerProperties(s))
                // Every record passes the gate: a record the broker would refuse becomes a dead letter.
                .setRecordSerializer(OutputGate.of(serializer, topic, s));
        if (s.delivery == JobSettings.Delivery.AT_LEAST_ONCE) {
            return b.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build();
        }
        return b.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(s.transactionalIdPrefix + "-" + idSuffix)
                .build();
    }

    /** The properties of every sink's producer: the user's, and what the delivery guarantee needs. */
    static Properties producerProperties(JobSettings s) {
        Properties p = clientProperties(s);
        if (s.delivery == JobSettings.Delivery.AT_LEAST_ONCE) {
            // No transactions: a record is visible once the producer sends it, which linger.ms bounds (the sink also
            // flushes on every checkpoint, so the checkpoint covers what was written before it).
            p.putIfAbsent("linger.ms", AT_LEAST_ONCE_LINGER_MS);
        } else {
            p.setProperty("transaction.timeout.ms", Long.toString(s.transactionTimeout.toMillis()));
        }
        return p;
    }

    private static Properties clientProperties(JobSettings s) {
        Properties p = new Properties();
        p.putAll(s.clientProperties());
        return p;
    }

    /** Dead letters to a side output, events on. */
    static final class SplitDeadLetters extends ProcessFunction<Ingested, AccountEvent> {
        private static final long serialVersionUID = 1L;
        /** Dead letters by the kind of their reason, as metrics {@code deadLetters{reason=...}}. */
        private transient LabeledCounters deadLetters;

        @Override
        public void open(OpenContext openContext) {
            deadLetters = new LabeledCounters(getRuntimeContext().getMetricGroup(), "deadLetters", "reason");
        }

        @Override
        public void processElement(Ingested in, Context ctx, Collector<AccountEvent> out) {
            if (in.event != null) {
                out.collect(in.event);
            } else {
                deadLetters.inc(LabeledCounters.reasonLabel(in.deadLetter.getReason()));
                ctx.output(DEAD_LETTERS, in.deadLetter);
            }
        }
    }
}
