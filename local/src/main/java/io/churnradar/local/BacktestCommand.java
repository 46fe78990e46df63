package io.churnradar.local;

import io.churnradar.backtest.BacktestInput;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.BacktestSummary;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/** {@code ./churn-radar backtest}: the detection over event files of any file format in a local Flink. */
final class BacktestCommand {
    private final PrintStream out;
    private final Path flinkConf;

    BacktestCommand(PrintStream out, Path flinkConf) {
        this.out = out;
        this.flinkConf = flinkConf;
    }

    int run(CommandLine.Parsed args) throws Exception {
        args.required("--events");
        List<BacktestInput> inputs = new ArrayList<>();
        for (String e : args.all("--events")) inputs.add(BacktestInput.parse(e));
        FormatOptions options = args.has("--config") ? JobSettings.load(Path.of(args.get("--config"))).formatOptions : FormatOptions.defaults();
        Path outDir = Path.of(args.required("--out"));
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = args.integer("--parallelism", defaultParallelism, 1, 256);
        Duration maxOutOfOrderness = Duration.ofMinutes(10);
        if (args.has("--max-out-of-orderness")) {
            maxOutOfOrderness = io.churnradar.config.Durations.parse(args.get("--max-out-of-orderness"));
            if (maxOutOfOrderness == null) {
                throw new UsageException("backtest: --max-out-of-orderness must be a duration such as 500ms, 30s, 10m, 2h or 7d, got '"
                        + args.get("--max-out-of-orderness") + "'");
            }
        }
        BacktestLimits limits = limits(args);
        Rules rules = args.has("--rules") ? Rules.load(Path.of(args.get("--rules"))) : Rules.defaults();
        for (BacktestInput in : inputs) in.files(); // a missing input is a usage error, before Flink starts

        long started = System.nanoTime();
        out.printf("Backtest of %s with rules %s, parallelism %d, max out-of-orderness %s ...%n",
                inputs.size() == 1 && inputs.get(0).format == InputFormat.CHURN_RADAR ? inputs.get(0).path : inputs, rules.version, parallelism, io.churnradar.config.Durations.format(maxOutOfOrderness));
        BacktestSummary s;
        Duration finalMaxOutOfOrderness = maxOutOfOrderness;
        // No checkpoints: a bounded replay gains nothing from them, and they would hold back the collected alerts.
        try (LocalFlink flink = LocalFlink.start(flinkConf, false, false, parallelism)) {
            s = flink.asContextEnvironment(() -> BacktestJob.run(inputs, options, outDir, rules, finalMaxOutOfOrderness, parallelism,
                    flink.configuration(), limits, out::println));
        }
        out.printf("  files            %d%n", s.files);
        out.printf("  lines read       %,d (%,d blank)%n", s.linesRead, s.blankLines);
        out.printf("  events accepted  %,d%n", s.eventsAccepted);
        out.printf("  duplicates       %,d%n", s.duplicates);
        out.printf("  late events      %,d%n", s.lateEvents);
        out.printf("  dead-lettered    %,d%n", s.deadLettered);
        if (s.skipped > 0) out.printf("  skipped          %,d (valid payloads without a churn signal)%n", s.skipped);
        out.printf("  event time       %s .. %s%n", s.firstEventTime == null ? "-" : s.firstEventTime, s.lastEventTime == null ? "-" : s.lastEventTime);
        out.printf("  alerts           %,d%n", s.alertsTotal);
        s.alerts.forEach((signal, byStatus) -> out.printf("    %-16s %s%n", signal, byStatus.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", "))));
        out.printf("  health updates   %,d (%,d accounts scored)%n", s.healthUpdates, s.healthAccounts);
        long decisions = s.commandDecisions.values().stream().mapToLong(Long::longValue).sum();
        out.printf("  commands         %,d sent of %,d decisions %s%n", s.commandsSent, decisions, s.commandDecisions);
        out.printf("  written to       %s (alerts.jsonl, health.jsonl, commands.jsonl, command-audit.jsonl, outcomes.json,%n"
                + "                   dead-letter.jsonl, summary.json)%n",
                outDir.toAbsolutePath().normalize());
        out.printf("  elapsed          %s%n", Durations.human(Duration.ofNanos(System.nanoTime() - started)));
        return 0;
    }

    /** The limits on hostile input: --now, --max-ahead, --max-line-bytes. */
    static BacktestLimits limits(CommandLine.Parsed args) throws UsageException {
        java.time.Instant now = null;
        if (args.has("--now")) {
            try {
                now = java.time.Instant.parse(args.get("--now"));
            } catch (java.time.format.DateTimeParseException e) {
                throw new UsageException("backtest: --now must be an instant such as 2026-04-01T00:00:00Z, got '" + args.get("--now") + "'");
            }
        }
        Duration maxAhead = BacktestLimits.DEFAULT_MAX_AHEAD;
        if (args.has("--max-ahead")) {
            maxAhead = io.churnradar.config.Durations.parse(args.get("--max-ahead"));
            if (maxAhead == null || maxAhead.isNegative()) {
                throw new UsageException("backtest: --max-ahead must be a duration such as 1h, 7d or 30d, got '" + args.get("--max-ahead") + "'");
            }
        }
        int maxLineBytes = args.integer("--max-line-bytes", BacktestLimits.DEFAULT_MAX_LINE_BYTES, 1024, BacktestLimits.MAX_MAX_LINE_BYTES);
        return new BacktestLimits(now, maxAhead, maxLineBytes);
    }
}
