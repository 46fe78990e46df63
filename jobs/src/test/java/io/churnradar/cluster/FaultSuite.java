package io.churnradar.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.config.Rules;
import io.churnradar.ingest.EventType;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault suite (jobs/cluster/fault-suite.sh, ClusterFaultSuiteTest): a standalone Flink session cluster
 * (JobManager and two TaskManagers, each its own JVM) and a Kafka broker in its own JVM; the shaded job jar
 * submitted through the REST API at parallelism 2 with RocksDB and incremental checkpoints; a planted history
 * produced while faults happen; and the alerts and commands a read_committed consumer sees compared with the
 * backtest of the same events. Scenarios: crash (kill -9 of a TaskManager mid-stream, a new one started),
 * upgrade (stop with a savepoint, resubmit with a changed rules version), rescale (restore at parallelism 1,
 * then 3), outage (the broker stopped for 30 s and started again).
 */
public final class FaultSuite {
    static final List<String> ALL = List.of("crash", "upgrade", "rescale", "outage");
    static final int PARTITIONS = 3;
    private static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofMinutes(10);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    private static final Duration STEP = Duration.ofMinutes(4);

    /** What to run. */
    record Options(List<String> scenarios, int events, Duration outage) {
        static Options parse(String[] args) {
            Set<String> scenarios = new LinkedHashSet<>();
            int events = 20_000;
            Duration outage = Duration.ofSeconds(30);
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--scenario" -> {
                        i++;
                        for (String s : v.split(",")) {
                            if (s.equals("all")) scenarios.addAll(ALL);
                            else if (ALL.contains(s)) scenarios.add(s);
                            else throw new IllegalArgumentException("--scenario: " + s + "; allowed: crash, upgrade, rescale, outage, all");
                        }
                    }
                    case "--events" -> { i++; events = Integer.parseInt(v); }
                    case "--outage" -> { i++; outage = Duration.ofSeconds(Long.parseLong(v)); }
                    default -> throw new IllegalArgumentException("unknown argument " + a
                            + "; allowed: --scenario crash|upgrade|rescale|outage|all (comma-separated), --events N, --outage SECONDS");
                }
            }
            if (scenarios.isEmpty()) scenarios.addAll(ALL);
            return new Options(List.copyOf(scenarios), events, outage);
        }
    }

    /** One scenario's outcome. */
    record Result(String scenario, Outputs.Diff alerts, Outputs.Diff commands, int deadLettersExpected, int deadLettersSeen,
            Outputs.Diff health, Map<String, Long> alertsByRuleVersion, Map<String, String> figures, List<String> problems) {
        boolean ok() {
            return alerts.clean() && commands.clean() && health.clean() && deadLettersExpected == deadLettersSeen && problems.isEmpty();
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        List<Result> results = run(o, System.out);
        System.exit(results.stream().allMatch(Result::ok) ? 0 : 1);
    }

    /** Runs the scenarios; child processes' logs are deleted when all pass, kept (and their folder printed) otherwise. */
    static List<Result> run(Options o, PrintStream out) throws Exception {
        Path root = repositoryRoot();
        Path jobJar = jobJar(root);
        Path work = Files.createTempDirectory("churn-radar-fault-suite");
        List<Result> results = new ArrayList<>();
        boolean ok = false;
        out.printf("fault suite: %s, %d events, work folder %s%n", o.scenarios(), o.events(), work);
        try {
            String flinkClasspath = FlinkRuntimeClasspath.resolve(root, work.resolve("log"));
            ClusterHistory history = new ClusterHistory(o.events(), PARTITIONS);
            Instant cutoff = history.lastTick().minus(MAX_OUT_OF_ORDERNESS);
            out.printf("history: %d records (%d account groups, %d malformed), %d partitions per event topic%n",
                    history.size(), history.groups, history.malformed, PARTITIONS);
            Path events = work.resolve("events.jsonl");
            history.writeJsonLines(events);
            Path backtest = work.resolve("backtest");
            BacktestJob.run(events, backtest, Rules.defaults(), MAX_OUT_OF_ORDERNESS, 2, FlinkTestCluster.config());
            Outputs.Expected expected = Outputs.expected(backtest, cutoff);
            out.printf("backtest: %d alerts, %d commands and %d health updates up to %s (the streaming watermark's end)%n",
                    expected.alertScores().size(), expected.commands().size(), expected.health().size(), cutoff);

            try (KafkaServer kafka = new KafkaServer(work.resolve("kafka"), testClasspathJars());
                    FlinkSession flink = new FlinkSession(work.resolve("flink"), flinkClasspath, root.resolve("flink-conf/config.yaml"),
                            2, CHECKPOINT_INTERVAL)) {
                kafka.start();
                long t0 = System.nanoTime();
                flink.start(2);
                out.printf("cluster: JobManager and 2 TaskManagers up in %d ms, REST %s; broker %s%n",
                        (System.nanoTime() - t0) / 1_000_000, flink.restUrl(), kafka.bootstrapServers());
                String jarId = flink.uploadJar(jobJar);
                Path rulesV1 = work.resolve("rules-v1.yaml");
                Path rulesV2 = work.resolve("rules-v2.yaml");
                String rules = defaultRulesText();
                Files.writeString(rulesV1, rules);
                Files.writeString(rulesV2, rules.replaceFirst("(?m)^version: .*$", "version: \"fault-suite-2\""));
                for (String s : o.scenarios()) {
                    Scenario sc = new Scenario(s, kafka, flink, jarId, history, expected, work, rulesV1, rulesV2, o.outage());
                    Result r;
                    try {
                        r = sc.run();
                    } catch (Exception | AssertionError e) {
                        r = new Result(s, new Outputs.Diff(0, 0, 0, 0, 0, List.of()), new Outputs.Diff(0, 0, 0, 0, 0, List.of()),
                                0, 0, new Outputs.Diff(0, 0, 0, 0, 0, List.of()), Map.of(), sc.figures, List.of("failed: " + e));
                        e.printStackTrace(out);
                    } finally {
                        sc.cancelJob();
                    }
                    results.add(r);
                    print(r, out);
                }
            }
            ok = results.stream().allMatch(Result::ok);
            out.println(ok ? "fault suite: every scenario matches the backtest" : "fault suite: DIFFERENCES (see above)");
            return results;
        } finally {
            if (ok) {
                deleteTree(work);
            } else {
                out.println("logs and data kept in " + work + " (log/: jobmanager.log, tm-*.log, kafka-*.out)");
            }
        }
    }

    static void print(Result r, PrintStream out) {
        out.printf("== %s: %s%n", r.scenario(), r.ok() ? "OK" : "FAILED");
        out.printf("   alerts   %s%n", r.alerts());
        out.printf("   commands %s%n", r.commands());
        out.printf("   health   %s%n", r.health());
        out.printf("   dead letters expected %d, seen %d%n", r.deadLettersExpected(), r.deadLettersSeen());
        if (!r.alertsByRuleVersion().isEmpty()) out.printf("   alerts by rule version %s%n", r.alertsByRuleVersion());
        r.figures().forEach((k, v) -> out.printf("   %s: %s%n", k, v));
        r.problems().forEach(p -> out.printf("   PROBLEM %s%n", p));
    }

    /** One scenario on its own topics, consumer group and transactional ids. */
    static final class Scenario {
        final String name;
        final KafkaServer kafka;
        final FlinkSession flink;
        final String jarId;
        final ClusterHistory history;
        final Outputs.Expected expected;
        final Path rulesV1;
        final Path rulesV2;
        final Path settings;
        final Duration outage;
        final List<ClusterHistory.Rec> records;
        final Map<String, String> figures = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        private int produced;
        String jobId;

        Scenario(String name, KafkaServer kafka, FlinkSession flink, String jarId, ClusterHistory history, Outputs.Expected expected,
                Path work, Path rulesV1, Path rulesV2, Duration outage) throws Exception {
            this.name = name;
            this.kafka = kafka;
            this.flink = flink;
            this.jarId = jarId;
            this.history = history;
            this.expected = expected;
            this.rulesV1 = rulesV1;
            this.rulesV2 = rulesV2;
            this.outage = outage;
            this.records = history.inSendOrder();
            this.settings = work.resolve(name + "-settings.yaml");
            Files.writeString(settings, String.join("\n",
                    "kafka:",
                    "  bootstrapServers: " + kafka.bootstrapServers(),
                    "  groupId: " + name + "-job",
                    "  startingOffsets: EARLIEST",
                    "  bounded: false",
                    "  transactionalIdPrefix: " + name,
                    "  transactionTimeout: 5m",
                    "topics:",
                    "  login: " + topic(EventType.LOGIN),
                    "  usage: " + topic(EventType.USAGE),
                    "  supportTicket: " + topic(EventType.SUPPORT_TICKET),
                    "  payment: " + topic(EventType.PAYMENT),
                    "  feedback: " + topic(EventType.FEEDBACK),
                    "  subscription: " + topic(EventType.SUBSCRIPTION),
                    "  alerts: " + name + ".churn.alerts",
                    "  deadLetter: " + name + ".churn.dead-letter",
                    "  rules: " + name + ".churn.rules",
                    "  rulesStatus: " + name + ".churn.rules-status",
                    "  accountHealth: " + name + ".churn.account-health",
                    "  commands: " + name + ".churn.commands",
                    "  commandsAudit: " + name + ".churn.commands-audit",
                    "  playbookOutcomes: " + name + ".churn.playbook-outcomes",
                    "  kpis: " + name + ".churn.kpis",
                    "eventTime:",
                    "  maxOutOfOrderness: " + MAX_OUT_OF_ORDERNESS.toMinutes() + "m",
                    "  idleness: 1m",
                    ""));
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (EventType t : EventType.values()) topics.put(topic(t), PARTITIONS);
            for (String out : List.of("alerts", "dead-letter", "rules", "rules-status", "account-health", "commands", "commands-audit",
                    "playbook-outcomes", "kpis")) {
                topics.put(name + ".churn." + out, 1);
            }
            kafka.createTopics(topics);
        }

        String topic(EventType t) {
            return name + ".events." + switch (t) {
                case LOGIN -> "login";
                case USAGE -> "usage";
                case SUPPORT_TICKET -> "support-ticket";
                case PAYMENT -> "payment";
                case FEEDBACK -> "feedback";
                case SUBSCRIPTION -> "subscription";
            };
        }

        Result run() throws Exception {
            switch (name) {
                case "crash" -> crash();
                case "upgrade" -> upgrade();
                case "rescale" -> rescale();
                case "outage" -> outage();
                default -> throw new IllegalArgumentException(name);
            }
            awaitSettled();
            checkpointFigures();
            Outputs.Seen seen = Outputs.read(kafka.bootstrapServers(), name + ".churn.alerts", name + ".churn.commands",
                    name + ".churn.account-health", name + ".churn.dead-letter");
            Map<String, Long> versions = seen.alertsByRuleVersion();
            if (name.equals("upgrade") && !versions.containsKey("fault-suite-2")) {
                problems.add("no alert after the upgrade carries the new rules version fault-suite-2: " + versions);
            }
            return new Result(name, Outputs.alertDiff(expected, seen), Outputs.commandDiff(expected, seen), history.malformed,
                    seen.deadLetters(), Outputs.healthDiff(expected, seen), versions, figures, problems);
        }

        // ----- scenarios -----

        private void crash() throws Exception {
            // A deployment on new, empty topics: every partition is idle until its first record, and the first half
            // of the history is then written at full speed; the backlog grace keeps its first records from being
            // late (docs/operations.md, "A backlog written into idle partitions").
            submit(2, rulesV1, null);
            flink.awaitCheckpoints(jobId, 1, STEP);
            produceUpTo(records.size() / 2);
            flink.awaitCheckpoints(jobId, 1, STEP);
            // The rest is produced while the TaskManager dies and the job recovers: mid-stream.
            AtomicInteger sent = new AtomicInteger();
            Thread producer = new Thread(() -> {
                try {
                    produceUpTo(records.size(), sent);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "fault-suite-producer");
            int half = records.size() / 2;
            producer.start();
            Deadline.in(STEP).pollUntil("some of the second half produced", () -> sent.get() >= (records.size() - half) / 10);
            long before = flink.completedCheckpoints(jobId);
            long killedAt = System.currentTimeMillis();
            String killed = flink.killBusyTaskManager();
            String started = flink.startTaskManager();
            figures.put("killed", "kill -9 of " + killed + " with " + sent.get() + " of " + (records.size() - half)
                    + " second-half records produced; " + started + " started; " + before + " checkpoints completed before");
            awaitRecovery(killedAt, killedAt, "kill");
            producer.join(STEP.toMillis());
        }

        private void upgrade() throws Exception {
            // The first part is on the topics before the job starts, as on a deployment over existing topics (the crash
            // scenario starts on empty topics instead).
            produceUpTo(records.size() / 2);
            submit(2, rulesV1, null);
            flink.awaitCheckpoints(jobId, 1, STEP);
            long stopAt = System.currentTimeMillis();
            String savepoint = flink.stopWithSavepoint(jobId, STEP);
            long stoppedAt = System.currentTimeMillis();
            figures.put("savepoint", savepoint + " (" + treeSize(savepoint) + " bytes), stop with savepoint " + (stoppedAt - stopAt) + " ms");
            submit(2, rulesV2, savepoint);
            awaitAllRunning();
            figures.put("upgrade downtime", (System.currentTimeMillis() - stopAt) + " ms (stop request to every subtask RUNNING from the savepoint)");
            produceUpTo(records.size());
        }

        private void rescale() throws Exception {
            // The first part is on the topics before the job starts, as on a deployment over existing topics (the crash
            // scenario starts on empty topics instead).
            produceUpTo(records.size() / 3);
            submit(2, rulesV1, null);
            flink.awaitCheckpoints(jobId, 1, STEP);
            for (int[] step : new int[][] {{1, 2 * records.size() / 3}, {3, records.size()}}) {
                int parallelism = step[0];
                long stopAt = System.currentTimeMillis();
                String savepoint = flink.stopWithSavepoint(jobId, STEP);
                submit(parallelism, rulesV1, savepoint);
                awaitAllRunning();
                figures.put("restore at parallelism " + parallelism, (System.currentTimeMillis() - stopAt)
                        + " ms from the stop request to every subtask RUNNING; savepoint " + treeSize(savepoint) + " bytes");
                produceUpTo(step[1]);
                flink.awaitCheckpoints(jobId, 1, STEP);
            }
        }

        private void outage() throws Exception {
            // The first part is on the topics before the job starts, as on a deployment over existing topics (the crash
            // scenario starts on empty topics instead).
            produceUpTo(records.size() / 2);
            submit(2, rulesV1, null);
            flink.awaitCheckpoints(jobId, 1, STEP);
            long before = flink.completedCheckpoints(jobId);
            kafka.stop();
            long stoppedAt = System.currentTimeMillis();
            // The outage itself: the broker stays down this long whatever the job does.
            Thread.sleep(outage.toMillis());
            kafka.start();
            long restartedAt = System.currentTimeMillis();
            figures.put("outage", "broker down " + (restartedAt - stoppedAt) + " ms; " + before + " checkpoints completed before");
            awaitRecovery(stoppedAt, restartedAt, "broker restart");
            figures.put("restarts of the job during the outage", String.valueOf(jobMetric("numRestarts")));
            produceUpTo(records.size());
        }

        // ----- steps -----

        private void submit(int parallelism, Path rules, String savepoint) throws Exception {
            jobId = flink.runJar(jarId, List.of("--config", settings.toString(), "--rules", rules.toString()), parallelism, savepoint);
            awaitAllRunning();
        }

        private void awaitAllRunning() throws Exception {
            Deadline.in(STEP).pollUntil("every subtask of " + jobId + " RUNNING", () -> flink.allRunning(jobId));
        }

        /**
         * Recovery figures, from {@code since}: to the job RESTARTING (if it restarted after {@code faultAt}), to RUNNING
         * again with every subtask, and to its first checkpoint triggered after {@code since} completing.
         */
        private void awaitRecovery(long faultAt, long since, String what) throws Exception {
            Deadline d = Deadline.in(STEP);
            long[] running = {-1};
            long[] checkpoint = {-1};
            long[] restarting = {-1};
            d.pollUntil("the job RUNNING again and a checkpoint completed after the " + what, () -> {
                long now = System.currentTimeMillis();
                JsonNode job = flink.job(jobId);
                long restart = job.path("timestamps").path("RESTARTING").asLong(0);
                if (restart >= faultAt) restarting[0] = restart;
                // RUNNING again counts only once the job has noticed the fault and restarted.
                if (running[0] < 0 && restarting[0] >= 0 && flink.allRunning(jobId)) running[0] = now;
                JsonNode latest = flink.checkpoints(jobId).path("latest").path("completed");
                if (checkpoint[0] < 0 && latest.path("trigger_timestamp").asLong() >= since) {
                    checkpoint[0] = latest.path("latest_ack_timestamp").asLong();
                }
                return checkpoint[0] >= 0 && (running[0] >= 0 || restarting[0] < 0);
            });
            long restarted = restarting[0];
            figures.put("recovery", String.format("%s -> job RESTARTING: %s; -> RUNNING again (every subtask): %s; -> first checkpoint completed: %d ms",
                    what, restarted >= 0 ? (restarted - since) + " ms" : "never (it rode the fault out)",
                    running[0] >= 0 ? (running[0] - since) + " ms" : "-", checkpoint[0] - since));
        }

        private String jobMetric(String metric) {
            try {
                JsonNode m = flink.get("/jobs/" + jobId + "/metrics?get=" + metric);
                return m.size() > 0 ? m.get(0).path("value").asText() : "-";
            } catch (Exception e) {
                return "-";
            }
        }

        private void produceUpTo(int end) throws Exception {
            produceUpTo(end, new AtomicInteger());
        }

        /** Produces records [produced, end) in order, each partition in send order; counts them in {@code sent}. */
        private synchronized void produceUpTo(int end, AtomicInteger sent) throws Exception {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            // One request in flight: written just after its topics were created, a partition's first batch can fail
            // (no leader yet) while the next ones succeed; its retry is then refused as out of order
            // (OutOfOrderSequenceException) until it expires, and the history loses its first records.
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
            // A record the broker never took must fail the run, not go missing: flush() does not throw for one.
            AtomicReference<Exception> failed = new AtomicReference<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (; produced < end; produced++) {
                    ClusterHistory.Rec r = records.get(produced);
                    producer.send(new ProducerRecord<>(topic(r.type()), r.partition(), r.timestamp(),
                            r.key().getBytes(StandardCharsets.UTF_8), r.value()), (metadata, e) -> {
                                if (e != null) failed.compareAndSet(null, e);
                            });
                    if (sent.incrementAndGet() % 200 == 0) producer.flush();
                }
                producer.flush();
            }
            if (failed.get() != null) throw new IllegalStateException("the broker did not take every record of the history", failed.get());
        }

        /**
         * Waits until the job has committed offsets at the end of every event partition (so a checkpoint covers the
         * whole history), then until its output stops changing over two checkpoints after at least three (the last
         * transactions committed, idle partitions past their idleness).
         */
        private void awaitSettled() throws Exception {
            Deadline.in(STEP).pollUntil("the job's committed offsets at the end of every event partition", this::drained);
            flink.awaitCheckpoints(jobId, 3, STEP);
            Deadline d = Deadline.in(STEP);
            String last = "";
            int stable = 0;
            while (stable < 2) {
                d.check(() -> "the output of " + name + " to settle");
                Outputs.Seen s = Outputs.read(kafka.bootstrapServers(), name + ".churn.alerts", name + ".churn.commands",
                        name + ".churn.account-health", name + ".churn.dead-letter");
                String now = s.alertCount() + "/" + s.commandCount() + "/" + s.health().size() + "/" + s.deadLetters();
                stable = now.equals(last) ? stable + 1 : 0;
                last = now;
                flink.awaitCheckpoints(jobId, 1, STEP);
            }
        }

        private boolean drained() throws Exception {
            try (Admin a = kafka.admin()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        a.listConsumerGroupOffsets(name + "-job").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                for (EventType t : EventType.values()) {
                    for (int p = 0; p < PARTITIONS; p++) latest.put(new TopicPartition(topic(t), p), OffsetSpec.latest());
                }
                var ends = a.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                for (var e : ends.entrySet()) {
                    if (e.getValue().offset() == 0) continue;
                    OffsetAndMetadata c = committed.get(e.getKey());
                    if (c == null || c.offset() < e.getValue().offset()) return false;
                }
                return true;
            }
        }

        /** Checkpoint sizes and durations of the current job, as its REST API reports them. */
        private void checkpointFigures() throws Exception {
            JsonNode c = flink.checkpoints(jobId);
            JsonNode s = c.path("summary");
            figures.put("checkpoints (last job)", String.format(
                    "%d completed, %d failed; checkpointed size min/avg/max %s/%s/%s bytes, full state %s bytes; "
                            + "end-to-end duration min/avg/max %s/%s/%s ms",
                    c.path("counts").path("completed").asLong(), c.path("counts").path("failed").asLong(),
                    s.path("checkpointed_size").path("min").asText(), s.path("checkpointed_size").path("avg").asText(),
                    s.path("checkpointed_size").path("max").asText(), s.path("state_size").path("max").asText(),
                    s.path("end_to_end_duration").path("min").asText(), s.path("end_to_end_duration").path("avg").asText(),
                    s.path("end_to_end_duration").path("max").asText()));
        }

        void cancelJob() {
            if (jobId != null) flink.cancel(jobId);
        }
    }

    // ----- where things are -----

    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("jobs/cluster/runtime-pom.xml"))) return p;
        }
        throw new IllegalStateException("run from the repository (no jobs/cluster/runtime-pom.xml above " + Path.of("").toAbsolutePath() + ")");
    }

    static Path jobJar(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("jobs/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("churn-radar-jobs-.*-job\\.jar"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("no jobs/target/churn-radar-jobs-*-job.jar: package the jobs module first"));
        }
    }

    /** The jars of this JVM's (test) classpath, for the broker's JVM: kafka_2.13 and its dependencies among them. */
    static String testClasspathJars() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> jars = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (e.endsWith(".jar") && !e.contains("churn-radar")) jars.add(e);
        }
        return String.join(File.pathSeparator, jars);
    }

    static String defaultRulesText() throws IOException {
        try (InputStream in = FaultSuite.class.getResourceAsStream("/rules/default-rules.yaml")) {
            if (in == null) throw new IllegalStateException("rules/default-rules.yaml is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static long treeSize(String uri) {
        try (Stream<Path> s = Files.walk(Path.of(java.net.URI.create(uri)))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
