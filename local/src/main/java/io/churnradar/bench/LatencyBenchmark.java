package io.churnradar.bench;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.detect.EventOrdering;
import io.churnradar.local.runtime.EmbeddedKafka;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.RunningJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./churn-radar bench --latency}: the streaming job as {@code ./churn-radar demo} runs it (a real KRaft
 * broker and the job on the local Flink, RocksDB, exactly-once or at-least-once, checkpoints at the interval of
 * flink-conf/local/config.yaml), fed at fractions of its maximum sustained input rate, measuring the time from
 * producing an event to reading its alert with a {@code read_committed} consumer.
 *
 * <p>The maximum is measured first (unless given): a burst of events is produced as fast as the producer
 * takes them, and the rate at which the job works it off is read from the offsets the job commits on each
 * checkpoint, from the first commit after the burst to the last before the backlog is gone; then once more
 * with a burst sized from the first result to last about 20 s. Then each step
 * sends for its duration at its rate and waits for the last alerts of the step before the next one starts, the
 * stream going on at the same rate meanwhile with events that raise no alert ({@link LatencyTraffic#filler}).
 */
public final class LatencyBenchmark {
    private static final int PARTITIONS = 2;
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration PROBE_TIMEOUT = Duration.ofMinutes(5);
    /** Traffic before the first step when the maximum is given, to warm the job up. */
    private static final Duration WARM_UP = Duration.ofSeconds(15);
    /** How long the traffic after a step runs between two looks at the alerts read. */
    private static final long TAIL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Events per second after a rate probe's burst in event-time order: enough to move the watermark, little work. */
    private static final double PROBE_FILLER_RATE = 100;

    /**
     * @param maxRate events per second taken as the maximum; null: measure it with {@code probeEvents}
     * @param fractions the steps, as fractions of the maximum
     * @param alertShare share of events that trigger an alert at once (payments)
     * @param ordering the job's {@code eventTime.order}; {@code maxOutOfOrderness} its bound (null: the job's defaults):
     *     event-time order adds up to the bound to every alert's latency
     * @param delivery the job's {@code delivery.guarantee}: at-least-once makes alerts visible as the sink writes them,
     *     without waiting for a checkpoint to commit them
     * @param flinkSettings Flink settings of the job over config.yaml's (bench's {@code --flink-setting})
     */
    public record Settings(int accounts, double alertShare, Double maxRate, long probeEvents, List<Double> fractions,
            Duration stepDuration, Path flinkConf, long seed, EventOrdering ordering, Duration maxOutOfOrderness,
            JobSettings.Delivery delivery, Map<String, String> flinkSettings) {
        public Settings {
            flinkSettings = Map.copyOf(flinkSettings);
        }

        public Settings(int accounts, double alertShare, Double maxRate, long probeEvents, List<Double> fractions,
                Duration stepDuration, Path flinkConf, long seed) {
            this(accounts, alertShare, maxRate, probeEvents, fractions, stepDuration, flinkConf, seed, null, null,
                    JobSettings.Delivery.EXACTLY_ONCE, Map.of());
        }
    }

    /** Ctrl-C: the run stops at the next check and cleans up (the job, the broker, their folders). */
    public static final class Stopped extends Exception {
        Stopped() {
            super("interrupted");
        }
    }

    private final Settings settings;
    private final PrintStream progress;
    private final BooleanSupplier stop;

    public LatencyBenchmark(Settings settings, PrintStream progress, BooleanSupplier stop) {
        this.settings = settings;
        this.progress = progress;
        this.stop = stop;
    }

    public LatencyReport run() throws Exception {
        progress.println("Starting Kafka (one KRaft broker) and Flink (local cluster, RocksDB state, checkpoints) in this process ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                LocalFlink flink = LocalFlink.start(settings.flinkConf(), false, true, 0)) {
            JobSettings job = jobSettings(kafka.bootstrapServers());
            if (settings.ordering() != null) job.eventOrdering = settings.ordering();
            if (settings.maxOutOfOrderness() != null) job.maxOutOfOrderness = settings.maxOutOfOrderness();
            if (settings.delivery() != null) job.delivery = settings.delivery();
            progress.printf("  Event order %s, out-of-orderness bound %s.%n", job.eventOrdering.order().id,
                    org.apache.flink.util.TimeUtils.formatWithHighestUnit(job.maxOutOfOrderness));
            if (!settings.flinkSettings().isEmpty()) progress.printf("  Flink settings over the cluster's: %s%n", settings.flinkSettings());
            createTopics(kafka, job);
            StreamExecutionEnvironment env = flink.environment(settings.flinkSettings());
            StreamingJob.build(env, job, Rules.defaults());
            JobClient client = env.executeAsync("churn-radar-bench-latency");
            try {
                awaitRunning(flink, client);
                Duration interval = flink.checkpointInterval(client.getJobID()).orElse(Duration.ZERO);
                progress.printf("  Job running, %s, checkpoints every %s ms; alerts read read_committed (and read_uncommitted).%n",
                        job.delivery.id, interval.toMillis());
                return measure(kafka, job, client, interval);
            } finally {
                new RunningJob(client).close();
            }
        }
    }

    private LatencyReport measure(EmbeddedKafka kafka, JobSettings job, JobClient client, Duration interval) throws Exception {
        List<TopicPartition> alertPartitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) alertPartitions.add(new TopicPartition(job.alertsTopic, p));
        try (Admin admin = kafka.admin();
                AlertLatencyReader reader = new AlertLatencyReader(kafka.bootstrapServers(), job.alertsTopic, alertPartitions);
                LatencyTraffic traffic = new LatencyTraffic(kafka.bootstrapServers(), job, settings.accounts(), settings.alertShare(),
                        settings.seed())) {
            // Generous: the job may be slow to commit on a loaded machine, and a missing alert is reported, not awaited for ever.
            Duration tailTimeout = interval.multipliedBy(5).plusSeconds(20);
            LatencyReport.Probe probe = null;
            double max;
            if (settings.maxRate() != null) {
                max = settings.maxRate();
                progress.printf("Maximum sustained input rate: %,.0f events/s (given).%n", max);
                warmUp(admin, job, client, traffic, Math.max(1, settings.fractions().get(0) * max), tailTimeout);
            } else {
                progress.printf("Measuring the maximum sustained input rate: a burst of %,d events ...%n", settings.probeEvents());
                LatencyReport.Probe first = probe(admin, job, client, traffic, reader, settings.probeEvents());
                progress.printf("  about %,.0f events/s; again with a burst of %,d events, sized to keep the job busy for %d s ...%n",
                        first.eventsPerSecond(), secondBurst(first), probeWindow().toSeconds());
                probe = probe(admin, job, client, traffic, reader, secondBurst(first));
                max = probe.eventsPerSecond();
                progress.printf("  the job worked the burst off at %,.0f events/s%s (the producer sent it at %,.0f events/s).%n", max,
                        !probe.lowerBound() ? ""
                                : job.eventOrdering.order() == EventOrdering.Order.EVENT_TIME
                                        ? " at least (to its last alert, which waited for the out-of-orderness bound)"
                                        : " at least (too few checkpoints in the burst to measure more closely)",
                        probe.producedPerSecond());
            }
            List<LatencyReport.StepResult> steps = new ArrayList<>();
            for (double f : settings.fractions()) {
                double rate = Math.max(1, f * max);
                progress.printf("Step %.0f%%: %,.0f events/s for %d s ...%n", f * 100, rate, settings.stepDuration().toSeconds());
                AlertLatencyReader.Step step = new AlertLatencyReader.Step();
                long t0 = System.nanoTime();
                long sent = traffic.paced(rate, settings.stepDuration().toNanos(), stop,
                        (invoice, nanos) -> reader.expect(step, invoice, nanos));
                failIfStopped(client);
                double seconds = (System.nanoTime() - t0) / 1e9;
                // The step's last alerts: at most a few checkpoints away, with the stream going on meanwhile (no alerts).
                long tailStart = System.nanoTime();
                long deadline = tailStart + tailTimeout.toNanos();
                long tailSent = 0;
                while (step.committedCount() < step.triggers.get() && System.nanoTime() < deadline) {
                    reader.check();
                    failIfStopped(client);
                    tailSent += traffic.filler(rate, tailStart, tailSent, Math.min(deadline, System.nanoTime() + TAIL_SLICE_NANOS));
                }
                awaitConsumed(admin, job, client, tailTimeout);
                LatencyReport.StepResult r = new LatencyReport.StepResult(f, rate, sent, sent / seconds, step.triggers.get(),
                        LatencyReport.Percentiles.of(step.committedCopy()), LatencyReport.Percentiles.of(step.uncommittedCopy()),
                        step.duplicates.get());
                steps.add(r);
                progress.printf("  %,d events (%,.0f/s; then %,d more without alerts while the last alerts came), %,d alerts expected, "
                        + "%,d read committed: p50 %s, p99 %s, p99.9 %s, max %s ms%n",
                        sent, r.achievedRate(), tailSent, r.triggers(), r.committed().count(), LatencyReport.ms(r.committed().p50Micros()),
                        LatencyReport.ms(r.committed().p99Micros()), LatencyReport.ms(r.committed().p999Micros()),
                        LatencyReport.ms(r.committed().maxMicros()));
            }
            reader.check();
            return new LatencyReport(BenchReport.Machine.current(), job.delivery, job.eventOrdering.order(), job.maxOutOfOrderness,
                    settings.accounts(), settings.alertShare(), interval, max,
                    probe, settings.stepDuration(), steps, reader.otherAlerts());
        }
    }

    /**
     * The burst, then the job's committed offsets every 50 ms: the rate from the first commit seen after the
     * burst was sent to the last one before the end, or, when the backlog was gone by the second commit, the
     * events over the time from the burst's start to that commit (a lower bound).
     */
    private LatencyReport.Probe probe(Admin admin, JobSettings job, JobClient client, LatencyTraffic traffic, AlertLatencyReader reader,
            long events) throws Exception {
        if (job.eventOrdering.order() == EventOrdering.Order.EVENT_TIME) {
            return probeInEventTime(client, traffic, reader, events);
        }
        long base = committedTotal(admin, job);
        long t0 = System.nanoTime();
        long sent = traffic.burst(events, (invoice, nanos) -> {});
        long sentAt = System.nanoTime();
        long end = endTotal(admin, job);
        long deadline = sentAt + PROBE_TIMEOUT.toNanos();
        long firstOffset = -1;
        long firstAt = 0;
        long lastOffset = -1;
        long lastAt = 0;
        long previous = committedTotal(admin, job);
        while (true) {
            failIfStopped(client);
            long now = System.nanoTime();
            long c = committedTotal(admin, job);
            if (c != previous) {
                previous = c;
                if (c >= end) {
                    if (firstOffset >= 0 && lastOffset > firstOffset) {
                        return new LatencyReport.Probe(sent, sent / ((sentAt - t0) / 1e9), (lastOffset - firstOffset) / ((lastAt - firstAt) / 1e9),
                                false);
                    }
                    return new LatencyReport.Probe(sent, sent / ((sentAt - t0) / 1e9), (c - base) / ((now - t0) / 1e9), true);
                }
                if (firstOffset < 0) {
                    firstOffset = c;
                    firstAt = now;
                } else {
                    lastOffset = c;
                    lastAt = now;
                }
            }
            if (now > deadline) throw new IllegalStateException("the job did not read the burst within " + PROBE_TIMEOUT);
            Thread.sleep(50);
        }
    }

    /**
     * With the maximum given no probe burst runs, so the first step would also pay for the JIT compiling the job's code
     * and RocksDB's first writes (a p99 of 4.6 s instead of 107 ms, measured): the first step's rate for
     * {@link #WARM_UP} (at most a step) first, its alerts not measured.
     */
    private void warmUp(Admin admin, JobSettings job, JobClient client, LatencyTraffic traffic, double rate, Duration tailTimeout)
            throws Exception {
        Duration warmUp = settings.stepDuration().compareTo(WARM_UP) < 0 ? settings.stepDuration() : WARM_UP;
        progress.printf("Warming up: %,.0f events/s for %d s, not measured ...%n", rate, warmUp.toSeconds());
        traffic.paced(rate, warmUp.toNanos(), stop, (invoice, nanos) -> {});
        failIfStopped(client);
        awaitConsumed(admin, job, client, tailTimeout);
    }

    /**
     * In event-time order the job holds an event until newer ones move the watermark past it, and it commits the
     * offsets of held events too: the offsets would measure reading, not the work (one run took 61,170 events/s for
     * a job that works off about 4,500). So the end of the burst is when its last alert is written (read
     * uncommitted), with the stream going on meanwhile without alerts so that the watermark passes the burst: the
     * rate is a lower bound, as it includes the out-of-orderness bound the last events wait.
     */
    private LatencyReport.Probe probeInEventTime(JobClient client, LatencyTraffic traffic, AlertLatencyReader reader, long events)
            throws Exception {
        AlertLatencyReader.Step burst = new AlertLatencyReader.Step();
        long t0 = System.nanoTime();
        long sent = traffic.burst(events, (invoice, nanos) -> reader.expect(burst, invoice, nanos));
        long sentAt = System.nanoTime();
        long deadline = sentAt + PROBE_TIMEOUT.toNanos();
        long fillerSent = 0;
        while (burst.uncommittedCount() < burst.triggers.get()) {
            reader.check();
            failIfStopped(client);
            if (System.nanoTime() > deadline) throw new IllegalStateException("the job did not work off the burst within " + PROBE_TIMEOUT);
            fillerSent += traffic.filler(PROBE_FILLER_RATE, sentAt, fillerSent, System.nanoTime() + TAIL_SLICE_NANOS);
        }
        return new LatencyReport.Probe(sent, sent / ((sentAt - t0) / 1e9), sent / ((System.nanoTime() - t0) / 1e9), true);
    }

    /**
     * The first burst only finds the order of magnitude (on a fast machine it is gone within a checkpoint or
     * two); the second is sized to keep the job busy for the probe window at that rate, so that the measurement
     * spans several checkpoints whatever the machine.
     */
    private long secondBurst(LatencyReport.Probe first) {
        long n = Math.round(first.eventsPerSecond() * probeWindow().toMillis() / 1000.0);
        return Math.max(settings.probeEvents(), Math.min(n, 10_000_000));
    }

    /** 20 s, or the step duration when shorter (a smoke run). */
    private Duration probeWindow() {
        Duration window = Duration.ofSeconds(20);
        return settings.stepDuration().compareTo(window) < 0 ? settings.stepDuration() : window;
    }

    private static long committedTotal(Admin admin, JobSettings job) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(job.groupId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long sum = 0;
        for (var e : committed.entrySet()) {
            if (job.eventTopics().contains(e.getKey().topic()) && e.getValue() != null) sum += e.getValue().offset();
        }
        return sum;
    }

    private static long endTotal(Admin admin, JobSettings job) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (String t : job.eventTopics()) {
            for (int p = 0; p < PARTITIONS; p++) specs.put(new TopicPartition(t, p), OffsetSpec.latest());
        }
        long sum = 0;
        for (var info : admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all().get(30, TimeUnit.SECONDS)
                .values()) {
            sum += info.offset();
        }
        return sum;
    }

    /** Waits until the job has committed every event sent, so that a step starts without a backlog. */
    private void awaitConsumed(Admin admin, JobSettings job, JobClient client, Duration timeout) throws Exception {
        long end = endTotal(admin, job);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (committedTotal(admin, job) < end) {
            failIfStopped(client);
            if (System.nanoTime() > deadline) {
                progress.println("  warning: the job had not read every event of the step after " + timeout.toSeconds() + " s");
                return;
            }
            Thread.sleep(50);
        }
    }

    private void failIfStopped(JobClient client) throws Exception {
        if (stop.getAsBoolean()) throw new Stopped();
        JobStatus s = client.getJobStatus().get(30, TimeUnit.SECONDS);
        if (s.isGloballyTerminalState()) throw new IllegalStateException("the job stopped (" + s + ")");
    }

    /** The demo's settings: a group and transactional ids of its own, a quiet partition not holding event time back. */
    static JobSettings jobSettings(String bootstrapServers) {
        JobSettings s = JobSettings.defaults();
        s.bootstrapServers = bootstrapServers;
        s.groupId = "churn-radar-bench-latency";
        s.startingOffsets = JobSettings.StartingOffsets.EARLIEST;
        s.transactionalIdPrefix = "churn-radar-bench-latency";
        s.idleness = Duration.ofSeconds(3);
        return s;
    }

    /** Every topic the job reads or writes, as the demo creates them. */
    private static void createTopics(EmbeddedKafka kafka, JobSettings s) throws Exception {
        List<String> plain = new ArrayList<>(s.eventTopics());
        for (String t : s.outputTopics()) {
            if (!t.equals(s.accountHealthTopic) && !t.equals(s.rulesStatusTopic)) plain.add(t);
        }
        kafka.createTopics(plain, PARTITIONS);
        kafka.createTopics(List.of(s.accountHealthTopic), PARTITIONS, Map.of("cleanup.policy", "compact"));
        kafka.createTopics(List.of(s.rulesTopic), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopics(List.of(s.rulesStatusTopic), 1);
    }

    private void awaitRunning(LocalFlink flink, JobClient client) throws Exception {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (stop.getAsBoolean()) throw new Stopped();
            JobStatus s = client.getJobStatus().get(30, TimeUnit.SECONDS);
            if (s.isGloballyTerminalState()) throw new IllegalStateException("the job did not start (" + s + ")");
            // Every task running: the sources read and the sinks have opened their first transactions.
            if (s == JobStatus.RUNNING && flink.allTasksRunning(client.getJobID())) return;
            if (System.nanoTime() > deadline) throw new IllegalStateException("the job did not start within " + STARTUP_TIMEOUT);
            Thread.sleep(100);
        }
    }
}
