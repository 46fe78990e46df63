package io.churnradar.local.command;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.local.runtime.ChurnRadarHome;
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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./churn-radar run}: the streaming job in a local Flink against an existing Kafka cluster, until Ctrl-C. */
@Command(name = "run", header = "the streaming job in a local Flink, against your Kafka cluster, until Ctrl-C",
        description = {"Runs the churn-radar streaming job in a local Flink (config flink-conf/local/config.yaml) against the Kafka"
                + " cluster named in the job config, until Ctrl-C. The topics must exist (it says which do not). Checkpoints go to"
                + " a temp folder that is deleted at exit: a restart resumes from the consumer group's committed offsets and"
                + " re-reads the rules topic (docs/rules.md)."})
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

    @Mixin
    HelpOption help;

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
        String missing = missingTopics(settings);
        if (missing != null) throw new CommandFailure(missing);

        try (StopSignal stop = new StopSignal(); Resources resources = new Resources(out)) {
            out.printf("Starting Flink for Kafka at %s (group %s, rules %s) ...%n", settings.bootstrapServers, settings.groupId, rules.version);
            LocalFlink flink = resources.add(LocalFlink.start(flinkConf, webUi, true, 0));
            flink.webUi().ifPresent(uri -> out.println("  Flink web UI: " + uri));
            StreamExecutionEnvironment env = flink.environment();
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
                    if (cause != null) throw new CommandFailure("the job failed: " + DemoCommand.rootMessage(cause));
                    return s == JobStatus.FINISHED ? 0 : 1;
                }
                Thread.sleep(Duration.ofSeconds(1).toMillis());
            }
            out.println("Stopping ...");
            return 130;
        }
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
