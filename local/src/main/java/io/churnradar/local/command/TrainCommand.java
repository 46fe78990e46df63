package io.churnradar.local.command;

import io.churnradar.backtest.TrainRun;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.Durations;
import io.churnradar.local.runtime.ExpectedFailureLogging;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnTrainer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./churn-radar train}: a churn propensity model learnt from a history replayed through the detection. */
@Command(name = "train", header = "learn a churn propensity model from a history (replayed through the detection), evaluated on its later months",
        description = {"Replays the history through the backtest's detection, takes every live account's features at each day close,"
                + " labels them by what happened within the horizon after (--label), trains gradient-boosted trees on the day closes"
                + " whose label was known by the split (--until), calibrates them on the latest of those, evaluates them on the day"
                + " closes after the split and compares them per customer with the INACTIVITY and USAGE_DROP alerts of the same replay."
                + " Writes the model (one JSON file: features, label definition, calibration, evaluation, trees) and prints the evaluation.",
                "Durations are Flink's: a number and a unit, e.g. 90d, 2160h."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "[FORMAT=]PATH", required = true, description = {"The history: as for backtest, a file or a"
            + " folder, FORMAT churn-radar (default), json, stripe, segment, zendesk, survey (required, repeatable)."})
    List<String> events = new ArrayList<>();

    @Option(names = "--out", paramLabel = "MODEL", required = true, description = "Where the model goes, e.g. churn.model (required).")
    Path out;

    @Option(names = "--label", paramLabel = "SPEC", description = {"What churn is: auto (default: canceled when the history has subscription"
            + " events, else inactivity), canceled (a CANCELED subscription event within the horizon) or inactivity (no login, usage or"
            + " payment within the horizon), with an optional horizon, e.g. inactivity:90d."})
    String label = "auto";

    @Option(names = "--horizon", paramLabel = "DURATION", description = "The horizon of the label (default 90d; overrides the one in --label).")
    Duration horizon;

    @Option(names = "--until", paramLabel = "DATE", description = {"Learn only from what was known by the end of DATE (UTC), e.g. 2011-06-30;"
            + " evaluate on the day closes after it. Default: 70%% of the labelled history for training."})
    String until;

    @Option(names = "--config", paramLabel = "FILE", description = "Job settings (YAML) whose formats section sets the mappings.")
    Path config;

    @Option(names = "--rules", paramLabel = "FILE", description = "Detection rules (YAML). Default: the built-in default rules.")
    Path rulesFile;

    @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism of the replay (1..256; default: that of flink-conf/local/config.yaml).")
    Integer parallelism;

    @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", description = "As for backtest (default 10m).")
    Duration maxOutOfOrderness = Duration.ofMinutes(10);

    @Option(names = "--report", paramLabel = "FILE", description = {"Also write the model's evaluation on its later period as a"
            + " self-contained page (reliability curve, Brier score, lift by decile, precision and recall at thresholds), e.g. report.html."})
    Path report;

    @Option(names = "--max-rows", paramLabel = "N", description = {"The most day closes to learn and evaluate on (1000.."
            + "2000000000; default 1000000, fewer when the heap holds fewer: about 1 KB of heap a row). A history with more"
            + " learns from a sample of its accounts, every row of each, the same sample on every run."})
    Integer maxRows;

    @Mixin
    HelpOption help;

    private final PrintStream stdout;

    TrainCommand(PrintStream out) {
        this.stdout = out;
    }

    @Override
    public Integer call() throws Exception {
        out = Values.outputFile(spec, "--out", out);
        if (report != null) report = Values.outputFile(spec, "--report", report);
        ChurnDefinition definition;
        try {
            definition = ChurnDefinition.parse(label);
            if (horizon != null) definition = definition.withHorizon(horizon);
        } catch (IllegalArgumentException e) {
            throw Values.usage(spec, "--label/--horizon: " + e.getMessage());
        }
        LocalDate untilDate = null;
        if (until != null) {
            try {
                untilDate = LocalDate.parse(until);
            } catch (DateTimeParseException e) {
                throw Values.usage(spec, "--until '" + until + "' is not a date such as 2011-06-30");
            }
        }
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        List<BacktestInput> inputs = new ArrayList<>();
        for (String e : events) inputs.add(BacktestInput.parse(e));
        for (BacktestInput in : inputs) in.files(); // a missing input is a usage error, before Flink starts
        FormatOptions options = config != null ? JobSettings.load(config).formatOptions : FormatOptions.defaults();
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = Values.range(spec, "--parallelism", this.parallelism == null ? defaultParallelism : this.parallelism, 1, 256);
        Rules rules = rulesFile != null ? Rules.load(rulesFile) : Rules.defaults();

        ChurnTrainer.Options trainOptions = new ChurnTrainer.Options();
        if (maxRows != null) trainOptions.maxRows = Values.range(spec, "--max-rows", maxRows, 1000, 2_000_000_000);

        long started = System.nanoTime();
        stdout.printf("Training a churn propensity model (%s) on %s ...%n", definition, inputs.size() == 1 ? inputs.get(0).path : inputs);
        TrainRun.Result r;
        ChurnDefinition def = definition;
        LocalDate u = untilDate;
        try (LocalFlink flink = LocalFlink.start(flinkConf, false, false, parallelism)) {
            // An input file cut off or corrupt stops the job: Main says which and what to do, in a line.
            ExpectedFailureLogging.quiet(io.churnradar.backtest.input.UnreadableInputFile.class.getName());
            r = flink.asContextEnvironment(() -> TrainRun.run(inputs, options, rules, def, u, out, maxOutOfOrderness, parallelism,
                    flink.configuration(), trainOptions, stdout::println));
        } catch (IllegalArgumentException e) {
            // Too short a history, no rows: the data's fault, said plainly, as every command's failure is.
            throw new CommandFailure("cannot train: " + e.getMessage());
        }
        stdout.print(r.report());
        stdout.printf("Model written to %s%n", out.toAbsolutePath().normalize());
        if (report != null) {
            TrainRun.writeReport(r, out.getFileName().toString(), report);
            stdout.printf("Report written to %s%n", report.toAbsolutePath().normalize());
        }
        stdout.printf("Elapsed %s%n", Durations.human(Duration.ofNanos(System.nanoTime() - started)));
        return 0;
    }
}
