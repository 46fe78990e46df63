package io.churnradar.kafka;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;

/** Shared steps of the Kafka tests: settings for a set of topics, creating them, running the job, reading its output. */
public final class KafkaJobRun {
    private KafkaJobRun() {}

    /** Settings of a bounded run from the earliest offsets over topics named {@code prefix.*}. */
    static JobSettings settings(KafkaBroker kafka, String prefix) {
        return settings(kafka.bootstrapServers(), prefix);
    }

    /** The same for a broker of the test's own making. */
    static JobSettings settings(String bootstrapServers, String prefix) {
        JobSettings s = JobSettings.defaults();
        boundedRunOn(s, bootstrapServers, prefix);
        return s;
    }

    /**
     * Points settings read from a test's own YAML (webhooks, formats) at the broker for a bounded run from the
     * earliest offsets, over topics named {@code prefix.*}.
     */
    public static void boundedRunOn(JobSettings s, String bootstrapServers, String prefix) {
        s.bootstrapServers = bootstrapServers;
        s.groupId = prefix + "-job";
        s.startingOffsets = JobSettings.StartingOffsets.EARLIEST;
        s.bounded = true;
        s.transactionalIdPrefix = prefix;
        s.transactionTimeout = Duration.ofMinutes(2);
        s.loginTopic = prefix + ".events.login";
        s.usageTopic = prefix + ".events.usage";
        s.supportTicketTopic = prefix + ".events.support-ticket";
        s.paymentTopic = prefix + ".events.payment";
        s.feedbackTopic = prefix + ".events.feedback";
        s.subscriptionTopic = prefix + ".events.subscription";
        s.alertsTopic = prefix + ".churn.alerts";
        s.deadLetterTopic = prefix + ".churn.dead-letter";
        s.rulesTopic = prefix + ".churn.rules";
        s.rulesStatusTopic = prefix + ".churn.rules-status";
        s.accountHealthTopic = prefix + ".churn.account-health";
        s.commandsTopic = prefix + ".churn.commands";
        s.commandsAuditTopic = prefix + ".churn.commands-audit";
        s.playbookOutcomesTopic = prefix + ".churn.playbook-outcomes";
        s.kpisTopic = prefix + ".churn.kpis";
    }

    /** The settings' event topics with {@code eventPartitions} partitions each, the rules and output topics with one. */
    public static void createTopics(KafkaBroker kafka, JobSettings s, int eventPartitions) throws Exception {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String t : s.eventTopics()) topics.put(t, eventPartitions);
        topics.put(s.alertsTopic, 1);
        topics.put(s.deadLetterTopic, 1);
        topics.put(s.rulesTopic, 1);
        topics.put(s.rulesStatusTopic, 1);
        topics.put(s.accountHealthTopic, 1);
        topics.put(s.commandsTopic, 1);
        topics.put(s.commandsAuditTopic, 1);
        topics.put(s.playbookOutcomesTopic, 1);
        topics.put(s.kpisTopic, 1);
        kafka.createTopics(topics);
    }

    /** An environment of the test MiniCluster, checkpointing often, with the production wiring of the job. */
    static StreamExecutionEnvironment environment(JobSettings s, int parallelism, Configuration extra) {
        Configuration conf = FlinkTestCluster.config();
        conf.addAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (!env.getConfig().getSerializerConfig().hasGenericTypesDisabled()
                || !"rocksdb".equals(env.getConfiguration().toMap().get("state.backend.type"))) {
            throw new IllegalStateException("the test environment must forbid Kryo and use RocksDB: " + env.getConfiguration());
        }
        env.setParallelism(parallelism);
        env.enableCheckpointing(500);
        StreamingJob.build(env, s, Rules.defaults());
        return env;
    }

    static JobExecutionResult runToEnd(JobSettings s, int parallelism) throws Exception {
        StreamExecutionEnvironment env = environment(s, parallelism, new Configuration());
        JobClient job = env.executeAsync(StreamingJob.JOB_NAME);
        return job.getJobExecutionResult().get(3, java.util.concurrent.TimeUnit.MINUTES);
    }

    static List<RiskAlert> alerts(KafkaBroker kafka, JobSettings s, IsolationLevel isolation) throws Exception {
        List<RiskAlert> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(s.alertsTopic, isolation)) {
            out.add(RiskAlert.getDecoder().decode(r.value()));
        }
        return out;
    }

    static List<io.churnradar.commands.RetentionCommand> commands(KafkaBroker kafka, String topic, IsolationLevel isolation)
            throws Exception {
        List<io.churnradar.commands.RetentionCommand> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, isolation)) {
            out.add(io.churnradar.commands.RetentionCommand.getDecoder().decode(r.value()));
        }
        return out;
    }

    static List<ConsumerRecord<byte[], byte[]>> records(KafkaBroker kafka, String topic, IsolationLevel isolation)
            throws Exception {
        return kafka.readAll(topic, isolation);
    }

    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> r) throws Exception {
        return DeadLetter.getDecoder().decode(r.value());
    }
}
