package io.churnradar.local.command;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.JobStateFolder;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.Resources;
import io.churnradar.local.runtime.RunningJob;
import io.churnradar.local.runtime.StopSignal;
import io.churnradar.rules.RulesCheck;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./churn-radar run}: the streaming job in a local Flink against an existing Kafka cluster, until Ctrl-C. */
@Command(name = "run", header = "the streaming job in a local Flink, against your Kafka cluster, until Ctrl-C",
        description = {"Runs the churn-radar streaming job in a local Flink (config flink-conf/local/config.yaml) against the Kafka"
                + " cluster named in the job config, until Ctrl-C or SIGTERM. The topics must exist (it says which do not). It stops"
                + " with a savepoint in --state-dir, and keeps its checkpoints there should it end without one: the next run"
                + " resumes from the newest, with every account's state, the events held for event time and the input offsets"
                + " that go with them, so a restart loses nothing and raises nothing twice. The rules in force are kept with"
                + " them (docs/rules.md)."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = {"Job config (YAML): kafka, topics, inputs, formats, eventTime, state;"
            + " flink-conf/churn-radar.yaml documents every key, docs/inputs.md the formats."
            + " Default: the defaults it lists (Kafka at localhost:9092)."})
    Path config;

    @Option(names = "--rules", paramLabel = "FILE", description = {"Detection rules (YAML) until a rule set is published on the rules"
            + " topic. Default: jobs/src/main/resources/rules/default-rules.yaml."})
    Path rulesFile;

    @Option(names = "--no-web-ui", description = "Do not serve Flink's web UI on localhost:8081.")
    boolean noWebUi;

    @Option(names = "--state-dir", paramLabel = "DIR", description = {"Where the job's savepoints and checkpoints are kept from one"
            + " run to the next (default ~/.churn-radar/run/GROUP, GROUP the config's kafka.groupId). Move its contents away to"
            + " start without that state: the job then reads from the consumer group's committed offsets."})
    Path stateDirOption;

    /** How long a stop waits for its savepoint; then the job is cancelled and its latest checkpoint is kept instead. */
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofSeconds(60);

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    private final PrintStream out;

    RunCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        // Both files are validated before anything starts; a ConfigException names every bad key.
        JobSettings settings = config != null ? JobSettings.load(config) : JobSettings.defaults();
        Rules rules = rulesFile != null ? Rules.load(rulesFile) : Rules.defaults();
        RulesCheck.requireWithinStateTtl(rules, rulesFile != null ? rulesFile.toString() : "the default rules", settings.stateTtl,
                config != null ? "in " + config : "the default");
        boolean webUi = !noWebUi;
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        Path stateDir = Values.outputFolder(spec, "--state-dir", stateDirOption != null ? stateDirOption : defaultStateDir(settings.groupId));
        String missing;
        try {
            missing = missingTopics(settings);
        } catch (ClusterTopics.UnusableAddress e) {
            throw new io.churnradar.config.ConfigException(config != null ? config.toString() : "the default settings", List.of(
                    "kafka.bootstrapServers: " + e.getMessage() + " of brokers this machine can resolve and reach"));
        }
        if (missing != null) throw new CommandFailure(missing);

        try (StopSignal stop = new StopSignal(); Resources resources = new Resources(out)) {
            out.printf("Starting Flink for Kafka at %s (group %s; rules %s until a set published on %s, or restored, is in force) ...%n",
                    settings.bootstrapServers, settings.groupId, rules.version, settings.rulesTopic);
            JobStateFolder state;
            try {
                state = resources.add(JobStateFolder.open(stateDir));
            } catch (IllegalStateException inUse) {
                throw new CommandFailure(inUse.getMessage() + ": each run of a consumer group keeps its state in a folder of its own;"
                        + " stop the other run, or give this one another --state-dir (and kafka.groupId)");
            }
            Optional<JobStateFolder.RestorePoint> restore = state.newest();
            if (restore.isPresent()) {
                state.keepOnly(restore.get());
                out.printf("  State: %s, resuming from %s%n", stateDir, restore.get().describe());
            } else {
                out.printf("  State: %s, none yet: reading from the consumer group's committed offsets%n", stateDir);
            }
            LocalFlink flink = resources.add(LocalFlink.start(flinkConf, webUi, true, 0));
            flink.webUi().ifPresent(uri -> out.println("  Flink web UI: " + uri));
            StreamExecutionEnvironment env = flink.environment(state.flinkSettings(restore));
            StreamingJob.build(env, settings, rules);
            RunningJob job = resources.add(new RunningJob(env.executeAsync(StreamingJob.JOB_NAME)));
            out.printf("  Job %s submitted: reading %s; alerts to %s. Ctrl-C stops it.%n", job.client().getJobID(),
                    String.join(", ", settings.inputTopics()), settings.alertsTopic);
            out.printf("  Rules change while it runs: ./churn-radar rules publish FILE --bootstrap-servers %s --wait 30s%n",
                    settings.bootstrapServers);
            JobStatus last = null;
            while (!stop.requested()) {
                JobStatus s = job.status();
                if (s != last) {
                    out.println("  job " + s.name().toLowerCase());
                    last = s;
                }
                if (s.isGloballyTerminalState()) {
                    Throwable cause = job.failureCause();
                    if (cause != null) {
                        throw new CommandFailure("the job failed: " + DemoCommand.rootMessage(cause) + restore.map(p -> "\n  It had restored "
                                + p.describe() + ". To start without that state, move the contents of " + stateDir + " away: the job"
                                + " then reads from the consumer group's committed offsets, and what only that state held is lost.")
                                .orElse(""));
                    }
                    return s == JobStatus.FINISHED ? 0 : 1;
                }
                Thread.sleep(Duration.ofSeconds(1).toMillis());
            }
            stop(job, state);
            return 130;
        }
    }

    /** Stops the job with a savepoint, or else leaves its latest checkpoint for the next run, and says which. */
    private void stop(RunningJob job, JobStateFolder state) {
        out.println("Stopping with a savepoint ...");
        try {
            String savepoint = state.stopWithSavepoint(job.client(), SAVEPOINT_TIMEOUT);
            out.printf("  Stopped. State saved to %s: the next run resumes from it.%n", savepoint);
        } catch (Exception e) {
            String why = e instanceof TimeoutException ? "none within " + SAVEPOINT_TIMEOUT.toSeconds() + " s" : DemoCommand.rootMessage(e);
            String next;
            try {
                next = state.newest().map(p -> "the next run resumes from " + p.describe()).orElse("no checkpoint was kept either:"
                        + " the next run reads from the consumer group's committed offsets");
            } catch (java.io.IOException io) {
                next = "the folder " + state.dir() + " cannot be read: " + io.getMessage();
            }
            out.printf("  No savepoint (%s); the job is cancelled and %s.%n", why, next);
        }
    }

    /** ~/.churn-radar/run/GROUP: one folder per consumer group, as the group's committed offsets go with its state. */
    static Path defaultStateDir(String groupId) {
        return Path.of(System.getProperty("user.home"), ".churn-radar", "run", groupId.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /** Every topic the job reads or writes, in order. */
    static List<String> topics(JobSettings s) {
        List<String> all = new ArrayList<>(s.inputTopics());
        all.add(s.rulesTopic);
        all.addAll(s.outputTopics());
        return all;
    }

    /**
     * Checks before the job starts that the cluster holds every topic the job needs (the job does not
     * create them): null when it does, else what is missing and how to create it.
     */
    static String missingTopics(JobSettings s) throws InterruptedException {
        Set<String> existing;
        try {
            existing = ClusterTopics.list(s.bootstrapServers, s.clientProperties(), Duration.ofSeconds(15));
        } catch (ExecutionException | TimeoutException e) {
            return "cannot list the topics of the Kafka cluster at " + s.bootstrapServers + ": "
                    + ClusterTopics.noAnswer(e, Duration.ofSeconds(15)) + ".\n"
                    + "  Check that it runs and is reachable from here, and that the config's kafka.bootstrapServers and client"
                    + " properties (--config; without it localhost:9092) name it.";
        }
        List<String> missing = topics(s).stream().filter(t -> !existing.contains(t)).toList();
        if (missing.isEmpty()) return null;
        return "the Kafka cluster at " + s.bootstrapServers + " has no topic " + String.join(", ", missing) + ".\n"
                + "  Create every topic the job uses first: " + String.join(", ", topics(s)) + ";\n"
                + "  " + s.rulesTopic + " with one partition; it, " + s.accountHealthTopic + " and " + s.kpisTopic
                + " with cleanup.policy=compact (docs/operations.md).";
    }
}
