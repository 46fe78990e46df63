package io.churnradar.local;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** {@code ./churn-radar run}: the streaming job in a local Flink against an existing Kafka cluster, until Ctrl-C. */
final class RunCommand {
    private final PrintStream out;
    private final Path flinkConf;

    RunCommand(PrintStream out, Path flinkConf) {
        this.out = out;
        this.flinkConf = flinkConf;
    }

    int run(CommandLine.Parsed args) throws Exception {
        // Both files are validated before anything starts; a ConfigException names every bad key.
        JobSettings settings = args.has("--config") ? JobSettings.load(Path.of(args.get("--config"))) : JobSettings.defaults();
        Rules rules = args.has("--rules") ? Rules.load(Path.of(args.get("--rules"))) : Rules.defaults();
        boolean webUi = !args.has("--no-web-ui");

        try (StopSignal stop = new StopSignal(); Resources resources = new Resources(out)) {
            out.printf("Starting Flink for Kafka at %s (group %s, rules %s) ...%n", settings.bootstrapServers, settings.groupId, rules.version);
            LocalFlink flink = resources.add(LocalFlink.start(flinkConf, webUi, true, 0));
            flink.webUi().ifPresent(uri -> out.println("  Flink web UI: " + uri));
            StreamExecutionEnvironment env = flink.environment();
            StreamingJob.build(env, settings, rules);
            RunningJob job = resources.add(new RunningJob(env.executeAsync(StreamingJob.JOB_NAME)));
            out.printf("  Job %s submitted: reading %s; alerts to %s. Ctrl-C stops it.%n", job.client().getJobID(),
                    String.join(", ", settings.eventTopics()), settings.alertsTopic);
            JobStatus last = null;
            while (!stop.requested()) {
                JobStatus s = job.status();
                if (s != last) {
                    out.println("  job " + s.name().toLowerCase());
                    last = s;
                }
                if (s.isGloballyTerminalState()) {
                    Throwable cause = job.failureCause();
                    if (cause != null) out.println("error: the job failed: " + DemoCommand.rootMessage(cause));
                    return s == JobStatus.FINISHED ? 0 : 1;
                }
                Thread.sleep(Duration.ofSeconds(1).toMillis());
            }
            out.println("Stopping ...");
            return 130;
        }
    }
}
