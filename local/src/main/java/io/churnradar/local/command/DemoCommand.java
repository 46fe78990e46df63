package io.churnradar.local.command;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.webhook.PayloadFormat;
import io.churnradar.webhook.RetryPolicy;
import io.churnradar.webhook.ValueSource;
import io.churnradar.webhook.WebhookEndpoint;
import io.churnradar.webhook.WebhookSettings;
import io.churnradar.config.Rules;
import io.churnradar.local.demo.AlertPrinter;
import io.churnradar.local.demo.DemoScenario;
import io.churnradar.local.demo.DemoTraffic;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.Durations;
import io.churnradar.local.runtime.EmbeddedKafka;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.Resources;
import io.churnradar.local.runtime.RunningJob;
import io.churnradar.local.runtime.StopSignal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar demo}: a Kafka broker, the streaming job in a local Flink, simulated customers and
 * a printer of the committed alerts, all in this JVM; ends by itself with a summary, or on Ctrl-C.
 */
@Command(name = "demo", header = "Kafka, the job, simulated customers and live alerts, all in this process",
        description = {"Starts a Kafka broker and Flink in this process, runs the churn-radar job on them, plays simulated customer"
                + " accounts into the event topics in accelerated time and prints each alert as the job commits it (read_committed,"
                + " once per checkpoint). It prints the broker's address (\"Kafka on HOST:PORT\") for other clients while it runs,"
                + " e.g. a consumer of churn.commands or 'rules publish'. Ends by itself after the simulated period with a summary,"
                + " or on Ctrl-C; leaves no process or temp folder behind."})
final class DemoCommand implements Callable<Integer> {
    static final int DEFAULT_ACCOUNTS = 300;
    static final int DEFAULT_DAYS = 45;
    static final double DEFAULT_SPEED = 43_200;
    private static final int PARTITIONS = 2;
    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(3);

    @Spec
    CommandSpec spec;

    @Option(names = "--accounts", paramLabel = "N", description = "Simulated customer accounts (default 300, 1..100000). One in five heads toward churn.")
    int accounts = DEFAULT_ACCOUNTS;

    @Option(names = "--days", paramLabel = "N", description = "Days of simulated history (default 45, 1..3650; USAGE_DROP needs about 25).")
    int days = DEFAULT_DAYS;

    @Option(names = "--speed", paramLabel = "X", description = "Simulated seconds per real second (default 43200, i.e. 12 h a second:"
            + " 45 days take about 90 s; 1..1e9).")
    double speed = DEFAULT_SPEED;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the simulation (default 42): the same seed, the same customers.")
    int seed = 42;

    @Option(names = "--webhook", paramLabel = "URL", description = "Also POST every command to this URL (JSON, docs/webhooks.md), e.g. a"
            + " local catch hook; the commands are printed either way.")
    String webhook;

    @Option(names = "--no-web-ui", description = "Do not serve Flink's web UI on localhost:8081.")
    boolean noWebUi;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Values.range(spec, "--accounts", accounts, 1, 100_000);
        Values.range(spec, "--days", days, 1, 3650);
        Values.range(spec, "--speed", speed, 1, 1e9);
        Values.range(spec, "--seed", seed, 0, Integer.MAX_VALUE);
        boolean webUi = !noWebUi;
        if (webhook != null && !webhook.matches("https?://\\S+")) {
            throw Values.usage(spec, "--webhook needs an http:// or https:// URL, got '" + webhook + "'");
        }
        Path flinkConf = ChurnRadarHome.flinkConfDir();

        long started = System.nanoTime();
        long today = LocalDate.now(ZoneOffset.UTC).toEpochDay();
        // The simulated period ends at today's midnight UTC: recent history, replayed fast.
        DemoScenario scenario = new DemoScenario((today - days) * DemoScenario.DAY_MS, days, accounts, seed);
        out.printf("Churn Radar demo: %,d accounts, %d days of simulated history (%s .. %s) at %s simulated seconds per second:"
                        + " about %s of traffic.%n",
                accounts, days, LocalDate.ofEpochDay(today - days), LocalDate.ofEpochDay(today - 1), fmt(speed),
                Durations.human(DemoTraffic.realDuration(days, speed)));

        try (StopSignal stop = new StopSignal(); Resources resources = new Resources(out)) {
            out.println("Starting Kafka (one KRaft broker) and Flink (local cluster, RocksDB state) in this process ...");
            // Both take seconds to start and need nothing from each other.
            CompletableFuture<LocalFlink> flinkStarting = CompletableFuture.supplyAsync(() -> {
                try {
                    return LocalFlink.start(flinkConf, webUi, true, 0);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            resources.add(() -> closeWhenStarted(flinkStarting));
            EmbeddedKafka kafka = resources.add(EmbeddedKafka.start());
            JobSettings settings = settings(kafka.bootstrapServers(), webhook);
            List<String> eventTopics = settings.eventTopics();
            // What the printer reads to the end before the summary.
            List<String> outputTopics = List.of(settings.alertsTopic, settings.deadLetterTopic, settings.rulesStatusTopic,
                    settings.commandsAuditTopic);
            createTopics(kafka, settings);
            out.printf("  Kafka on %s; topics %s, %d partitions each (%s).%n", kafka.bootstrapServers(),
                    String.join(", ", concat(eventTopics, List.of(settings.alertsTopic, settings.deadLetterTopic))), PARTITIONS,
                    since(started));
            out.printf("  Also %s and %s (compacted, %d partitions), %s (compacted) and %s (one partition each);%n",
                    settings.accountHealthTopic, settings.kpisTopic, PARTITIONS, settings.rulesTopic, settings.rulesStatusTopic);
            out.printf("  playbook commands on %s, every decision on %s, outcomes on %s%s.%n",
                    settings.commandsTopic, settings.commandsAuditTopic, settings.playbookOutcomesTopic,
                    webhook == null ? "" : "; commands also POSTed to " + webhook);
            if (stop.requested()) return interrupted(started);

            LocalFlink flink = started(flinkStarting);
            out.printf("  Flink ready (%s)%s.%n", since(started), flink.webUi().map(uri -> "; web UI on " + uri).orElse(""));
            StreamExecutionEnvironment env = flink.environment();
            StreamingJob.build(env, settings, Rules.defaults());
            RunningJob job = resources.add(new RunningJob(env.executeAsync("churn-radar-demo")));
            if (!job.awaitRunning(STARTUP_TIMEOUT, stop::requested)
                    || !awaitTasksRunning(flink, job, STARTUP_TIMEOUT, stop::requested)) {
                return stop.requested() ? interrupted(started) : failed("the job did not start", job);
            }
            out.printf("  Job %s running; checkpoints every %s commit the alerts (%s).%n", job.client().getJobID(),
                    flink.checkpointInterval().map(Durations::human).orElse("(never)"), since(started));

            AlertPrinter printer = resources.add(AlertPrinter.start(kafka.bootstrapServers(), settings.alertsTopic,
                    settings.deadLetterTopic, settings.rulesStatusTopic, settings.commandsAuditTopic, out));
            DemoTraffic traffic = resources.add(new DemoTraffic(kafka.bootstrapServers(), settings, scenario, speed, out));
            stop.onStop(traffic::stop);
            out.printf("  Change the rules while it runs: ./churn-radar rules publish FILE --bootstrap-servers %s --wait 30s%n",
                    kafka.bootstrapServers());
            out.println("Sending events; committed alerts, the commands they trigger (->) and rule changes follow as they arrive:");
            out.println();

            AtomicReference<Exception> trafficFailure = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    traffic.run();
                } catch (Exception e) {
                    trafficFailure.set(e);
                }
            }, "demo-traffic");
            sender.start();
            boolean warnedRestart = false;
            while (sender.isAlive()) {
                sender.join(500);
                JobStatus s = job.status();
                if (s == JobStatus.RESTARTING && !warnedRestart) {
                    out.println("warning: the job is restarting after a failure; see the log above.");
                    warnedRestart = true;
                }
                if (s.isGloballyTerminalState()) {
                    traffic.stop();
                    sender.join();
                    return failed("the job stopped (" + s + ")", job);
                }
            }
            if (stop.requested()) return summary(scenario, traffic, printer, started, true);
            if (trafficFailure.get() != null) throw trafficFailure.get();

            out.println();
            out.printf("All %,d events sent. Waiting for the job to read them and commit its last alerts ...%n", traffic.events());
            try (Admin admin = kafka.admin()) {
                if (!awaitConsumed(admin, settings.groupId, eventTopics, CATCH_UP_TIMEOUT, stop::requested)) {
                    if (stop.requested()) return summary(scenario, traffic, printer, started, true);
                    out.println("warning: the job had not read every event after " + Durations.human(CATCH_UP_TIMEOUT));
                }
                // Idle partitions are skipped after the idleness timeout, which can move event time on once
                // more; the checkpoint after that commits whatever it raised.
                long settled = System.currentTimeMillis() + settings.idleness.toMillis() + 500;
                awaitCheckpointsAfter(flink, job, settled, 2, CATCH_UP_TIMEOUT, stop::requested);
                Map<TopicPartition, Long> committedEnds = endOffsets(admin, outputTopics, IsolationLevel.READ_COMMITTED);
                printer.awaitPositions(committedEnds, Duration.ofSeconds(30));
            }
            return summary(scenario, traffic, printer, started, stop.requested());
        } finally {
            out.println("Stopped; the broker, the job and their temp folders are gone.");
        }
    }

    /** Every topic the job reads or writes: the rules topic compacted with one partition (one order of rule sets). */
    static void createTopics(EmbeddedKafka kafka, JobSettings settings) throws Exception {
        kafka.createTopics(concat(settings.eventTopics(), List.of(settings.alertsTopic, settings.deadLetterTopic)), PARTITIONS);
        kafka.createTopics(List.of(settings.accountHealthTopic, settings.kpisTopic), PARTITIONS, COMPACTED);
        kafka.createTopics(List.of(settings.rulesTopic), 1, COMPACTED);
        kafka.createTopics(List.of(settings.rulesStatusTopic), 1);
        kafka.createTopics(List.of(settings.commandsTopic, settings.commandsAuditTopic, settings.playbookOutcomesTopic), PARTITIONS);
    }

    private static LocalFlink started(CompletableFuture<LocalFlink> starting) throws Exception {
        try {
            return starting.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            if (cause instanceof Exception ex) throw ex;
            throw e;
        }
    }

    private static void closeWhenStarted(CompletableFuture<LocalFlink> starting) throws Exception {
        LocalFlink flink;
        try {
            flink = started(starting);
        } catch (Exception e) {
            return; // it did not start: nothing to close (a failed start cleans up after itself)
        }
        flink.close();
    }

    private static boolean awaitTasksRunning(LocalFlink flink, RunningJob job, Duration timeout, BooleanSupplier stop)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
            if (flink.allTasksRunning(job.client().getJobID())) return true;
            if (job.status().isGloballyTerminalState()) return false;
            Thread.sleep(100);
        }
        return false;
    }

    private static String since(long startedNanos) {
        return "at " + Durations.human(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    private static JobSettings settings(String bootstrapServers, String webhook) {
        JobSettings s = JobSettings.defaults();
        if (webhook != null) {
            // One endpoint for every action, generic JSON, no secret: what a local catch hook expects.
            s.webhooks = new WebhookSettings(RetryPolicy.DEFAULT, java.util.Map.of("demo", new WebhookEndpoint("demo",
                    ValueSource.inline(webhook), java.util.Set.of(WebhookEndpoint.DEFAULT_ACTIONS), PayloadFormat.JSON, null,
                    RetryPolicy.DEFAULT)));
        }
        s.bootstrapServers = bootstrapServers;
        s.groupId = "churn-radar-demo";
        s.startingOffsets = JobSettings.StartingOffsets.EARLIEST;
        s.transactionalIdPrefix = "churn-radar-demo";
        // A few real seconds is many simulated hours: a quiet partition must not hold event time back for long.
        s.idleness = Duration.ofSeconds(3);
        return s;
    }

    private int summary(DemoScenario scenario, DemoTraffic traffic, AlertPrinter printer, long started, boolean interrupted) {
        out.println();
        out.println(interrupted ? "Interrupted. Summary so far:" : "Summary:");
        out.printf("  simulated history  %d days (%s .. %s), %,d accounts%n", scenario.days,
                LocalDate.ofInstant(Instant.ofEpochMilli(scenario.start), ZoneOffset.UTC),
                LocalDate.ofInstant(Instant.ofEpochMilli(scenario.end() - 1), ZoneOffset.UTC), scenario.accounts.size());
        out.printf("  events produced    %,d (and %d malformed record%s)%n", traffic.events(), traffic.malformed(),
                traffic.malformed() == 1 ? "" : "s");
        out.printf("  alerts committed   %,d%n", printer.alerts());
        printer.alertsBySignal().forEach((signal, byStatus) -> out.printf("    %-16s %s%n", signal,
                byStatus.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
        Map<String, Long> decided = printer.decisionsByDisposition();
        long decisions = decided.values().stream().mapToLong(Long::longValue).sum();
        long sent = decided.getOrDefault("SEND", 0L);
        out.printf("  commands sent      %,d (%s per 1,000 alerts); decisions %,d: %s%n", sent,
                printer.alerts() == 0 ? "-" : String.format("%,.0f", 1000.0 * sent / printer.alerts()), decisions,
                decided.entrySet().stream().map(e -> String.format("%s %,d (%.1f%%)", e.getKey(), e.getValue(), 100.0 * e.getValue() / decisions))
                        .collect(java.util.stream.Collectors.joining(", ")));
        out.printf("  dead letters       %,d%n", printer.deadLetters());
        long first = printer.firstAlertAtNanos();
        out.printf("  first alert        %s%n", first < 0 ? "none" : Durations.human(Duration.ofNanos(first - started)) + " after start");
        out.printf("  total time         %s%n", Durations.human(Duration.ofNanos(System.nanoTime() - started)));
        return interrupted ? 130 : 0;
    }

    private int interrupted(long started) {
        out.printf("Interrupted after %s.%n", Durations.human(Duration.ofNanos(System.nanoTime() - started)));
        return 130;
    }

    private int failed(String what, RunningJob job) {
        Throwable cause = job.failureCause();
        throw new CommandFailure(what + (cause == null ? "" : ": " + rootMessage(cause)));
    }

    static String rootMessage(Throwable t) {
        Throwable root = Main.rootCause(t);
        return root == t ? String.valueOf(t) : t.getMessage() + " (cause: " + root + ")";
    }

    /** Waits until the job's consumer group has committed the end offset of every event partition. */
    private static boolean awaitConsumed(Admin admin, String groupId, List<String> topics, Duration timeout, BooleanSupplier stop)
            throws Exception {
        Map<TopicPartition, Long> ends = endOffsets(admin, topics, IsolationLevel.READ_UNCOMMITTED);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            boolean done = ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            if (done) return true;
            Thread.sleep(200);
        }
        return false;
    }

    /** Waits until {@code count} checkpoints triggered after {@code afterMillis} have completed. */
    private static void awaitCheckpointsAfter(LocalFlink flink, RunningJob job, long afterMillis, int count, Duration timeout,
            BooleanSupplier stop) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long after = afterMillis;
        for (int i = 0; i < count; i++) {
            while (true) {
                long latest = flink.latestCompletedCheckpointTriggeredAt(job.client().getJobID());
                if (latest > after) {
                    after = latest;
                    break;
                }
                if (System.nanoTime() > deadline || stop.getAsBoolean()) return;
                Thread.sleep(100);
            }
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) ->
                d.partitions().forEach(p -> specs.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(specs, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.format("%,d", (long) d) : Double.toString(d);
    }
}
