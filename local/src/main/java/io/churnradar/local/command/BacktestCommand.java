package io.churnradar.local.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.BacktestStateBackend;
import io.churnradar.backtest.BacktestSummary;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.JobSettings;
import io.churnradar.config.ModelReference;
import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.guard.EventTimeGuard;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.Durations;
import io.churnradar.local.runtime.ExpectedFailureLogging;
import io.churnradar.local.runtime.LocalFlink;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./churn-radar backtest}: the detection over event files of any file format in a local Flink. */
@Command(name = "backtest", header = "the detection over event files (ours, Stripe, Segment, Zendesk, surveys), alerts to a folder",
        description = {"Runs the detection of the streaming job over event files and writes alerts.jsonl, health.jsonl, commands.jsonl,"
                + " command-audit.jsonl, outcomes.json, kpis.jsonl, dead-letter.jsonl, scores.jsonl (with --model), report.html (with --report) and summary.json into the output folder. Our own files are"
                + " JSON Lines, one event a line, e.g. {\"type\":\"usage\",\"eventId\":\"e-17\",\"accountId\":\"acct-1\","
                + "\"eventTime\":\"2026-03-02T10:15:00Z\",\"feature\":\"reports\",\"quantity\":3}. Payloads of other formats"
                + " (stripe, segment, zendesk, survey, json) are read as they arrive, a line each (.jsonl, .jsonl.gz) or a .json file"
                + " of one payload or an array; several inputs are merged by event time, each read oldest first (docs/inputs.md).",
                "Durations are Flink's: a number and a unit (ms, s, m or min, h, d), e.g. 500ms, 30s, 10m, 2h, 30d."})
final class BacktestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "[FORMAT=]PATH", required = true, description = {"A file, or a folder searched for .jsonl and"
            + " .jsonl.gz files, and .json files in the formats other than ours (a .json file of ours is read when given as the"
            + " file; a folder's are left alone, as a results folder's summary.json is not events) (required). FORMAT: churn-radar (default), json, stripe, segment, zendesk, survey."
            + " Repeatable: e.g. --events stripe=stripe.jsonl --events segment=seg/."})
    List<String> events = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for the results, created if missing; an earlier run's results there are replaced, other files kept (required).")
    Path outOption;

    @Option(names = "--config", paramLabel = "FILE", description = {"Job settings (YAML) whose formats section sets the mappings, e.g."
            + " the account's metadata key in Stripe (flink-conf/churn-radar.yaml)."})
    Path config;

    @Option(names = "--rules", paramLabel = "FILE", description = "Detection rules (YAML). Default: the built-in default rules.")
    Path rulesFile;

    @Option(names = "--model", paramLabel = "MODEL", description = {"A churn propensity model (from train): CHURN_RISK scores every"
            + " live account with it at each day close, health.jsonl carries the probabilities and scores.jsonl lists them."
            + " Replaces a model the rules name."})
    Path modelFile;

    @Option(names = "--parallelism", paramLabel = "N", description = {"Parallelism of the detection (1..256; default: parallelism.default"
            + " of flink-conf/local/config.yaml)."})
    Integer parallelism;

    @Option(names = "--max-out-of-orderness", paramLabel = "DURATION", description = {"How late an event may arrive and still count in"
            + " order, e.g. 30s, 10m, 2h (default 10m)."})
    Duration maxOutOfOrderness = Duration.ofMinutes(10);

    @Option(names = "--now", paramLabel = "INSTANT", description = {"The end of the history, e.g. 2026-04-01T00:00:00Z: an event more than"
            + " --max-ahead after it is dead-lettered (default: judged against the event time reached so far)."})
    Instant now;

    @Option(names = "--max-ahead", paramLabel = "DURATION", description = {"How far ahead of --now, or of the event time reached, an event"
            + " may be dated (default 30d); further ahead it is dead-lettered."})
    Duration maxAhead = BacktestLimits.DEFAULT_MAX_AHEAD;

    @Option(names = "--max-line-bytes", paramLabel = "N", description = {"A longer line is dead-lettered with its first 64 KiB, size and"
            + " SHA-256 (default 262144, 1024..16777216)."})
    int maxLineBytes = BacktestLimits.DEFAULT_MAX_LINE_BYTES;

    @Option(names = "--state-backend", paramLabel = "heap|rocksdb|auto", description = {"Where the accounts' state lives: heap (faster,"
            + " bounded by the JVM's heap), rocksdb (off-heap and on disk, for more accounts than the heap holds) or auto (default:"
            + " the heap when the accounts estimated from samples of the input take at most a third of the heap, and RocksDB from the"
            + " start again if they turn out to take more)."})
    String stateBackend = "auto";

    @Option(names = "--report", description = {"Also write report.html: one self-contained page (no network needed) with the alerts"
            + " per day, each signal's precision, recall and lead time against the churn labels, the health score over time, the"
            + " playbooks' uplift and, when present, the model's and the retention KPIs' figures (docs/analysts.md)."})
    boolean report;

    @Mixin
    HelpOption help;

    private final PrintStream out;

    BacktestCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path flinkConf = ChurnRadarHome.flinkConfDir();
        Path outDir = Values.outputFolder(spec, "--out", outOption);
        for (String name : BacktestJob.RESULT_FILES) {
            Values.noFolderAt(spec, "--out", outDir, outDir.resolve(name), "the backtest writes its file " + name);
        }
        List<BacktestInput> inputs = new ArrayList<>();
        for (String e : events) inputs.add(BacktestInput.parse(e));
        BacktestInput.requireOutsideInputs(outDir, inputs, "--out");
        JobSettings jobSettings = config != null ? JobSettings.load(config) : JobSettings.defaults();
        FormatOptions options = jobSettings.formatOptions;
        int defaultParallelism = GlobalConfiguration.loadConfiguration(flinkConf.toString()).get(CoreOptions.DEFAULT_PARALLELISM);
        int parallelism = Values.range(spec, "--parallelism", this.parallelism == null ? defaultParallelism : this.parallelism, 1, 256);
        BacktestLimits limits = limits();
        Rules fileRules = rulesFile != null ? Rules.load(rulesFile) : Rules.defaults();
        Rules rules = modelFile != null ? fileRules.withModel(model(modelFile)) : fileRules;
        BacktestStateBackend.Choice choice;
        try {
            choice = BacktestStateBackend.Choice.of(stateBackend);
        } catch (IllegalArgumentException e) {
            throw Values.usage(spec, "--state-backend " + e.getMessage());
        }
        for (BacktestInput in : inputs) in.files(); // a missing input is a usage error, before Flink starts
        BacktestStateBackend.Decision backend = BacktestStateBackend.decide(choice, inputs, Runtime.getRuntime().maxMemory());

        long started = System.nanoTime();
        out.printf("Backtest of %s with rules %s, parallelism %d, max out-of-orderness %s ...%n",
                inputs.size() == 1 && inputs.get(0).format == InputFormat.CHURN_RADAR ? inputs.get(0).path : inputs, rules.version, parallelism, TimeUtils.formatWithHighestUnit(maxOutOfOrderness));
        out.printf("  state backend    %s (%s)%n", backend.label(), backend.reason());
        for (BacktestInput in : inputs) printLeftOut(out, in);
        if (config != null) printIgnoredSettings(out, config);
        BacktestSummary s;
        Duration finalMaxOutOfOrderness = maxOutOfOrderness;
        // No checkpoints: a bounded replay gains nothing from them, and they would hold back the collected alerts.
        boolean outDirMadeHere = !Files.exists(outDir);
        try (LocalFlink flink = LocalFlink.start(flinkConf, false, false, parallelism)) {
            // A heap run that meets more accounts than auto's estimate starts again on RocksDB (BacktestStateBackend), and
            // says so in a line of its own instead of Flink's stack of the failed task.
            ExpectedFailureLogging.quiet(io.churnradar.detect.AccountLimit.Exceeded.class.getName());
            // An input file cut off or corrupt stops the job: Main says which and what to do, in a line.
            ExpectedFailureLogging.quiet(io.churnradar.backtest.input.UnreadableInputFile.class.getName());
            s = BacktestStateBackend.runFallingBack(backend, decided -> {
                org.apache.flink.configuration.Configuration jobConfig = new org.apache.flink.configuration.Configuration(flink.configuration());
                BacktestJob.setKpiSettings(jobConfig, jobSettings.kpis); // the MRR bands of --config's kpis block
                return flink.asContextEnvironment(() -> BacktestJob.run(inputs, options, outDir, rules, finalMaxOutOfOrderness, parallelism,
                        decided.applyTo(jobConfig), limits, out::println, report));
            }, out::println);
        } catch (Exception | Error e) {
            // A run that its input or anything else stopped leaves no empty results folder it made itself behind.
            if (outDirMadeHere) removeIfEmpty(outDir);
            throw e;
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
                .map(e -> String.format("%,d %s", e.getValue(), e.getKey())).collect(java.util.stream.Collectors.joining(", "))));
        out.printf("  health updates   %,d (%,d accounts scored)%n", s.healthUpdates, s.healthAccounts);
        if (s.model != null) out.printf("  churn scores     %,d (model %s)%n", s.churnScores, s.model);
        long decisions = s.commandDecisions.values().stream().mapToLong(Long::longValue).sum();
        out.printf("  commands         %,d sent of %,d decisions %s%n", s.commandsSent, decisions, s.commandDecisions);
        out.printf("  written to       %s%n", outDir);
        out.printf("                   %s%n", String.join(", ", s.resultFiles));
        if (report) out.printf("  report           %s%n", outDir.resolve(io.churnradar.report.ReportWriter.FILE));
        GuardedDeadLetters byGuard = deadLetteredByGuard(outDir.resolve("dead-letter.jsonl"));
        long ahead = byGuard.ahead, behind = byGuard.behind;
        if (behind > 0) {
            // Often a folder of files that overlap in time (one a region): read as one sequence, each file after the first
            // goes back in time, and all of it beyond the de-duplication window is lost. Or one event dated ahead of the
            // rest (a wrong clock, within --max-ahead) moved its input's event time, and the events after it came late.
            out.printf("  note             %,d of the dead letters were too late to de-duplicate: more than dedup.windowDays (%s) behind%n"
                    + "                   the event time their input had reached, most of them behind %s. An input read out of order%n"
                    + "                   loses them: a folder's files are one sequence in name order, so files that overlap in time (one%n"
                    + "                   per region or source, not per period) belong each in an --events of its own, where they are merged%n"
                    + "                   by event time. Or a single event dated ahead of the rest (a wrong clock) took event time to %s:%n"
                    + "                   find it in the input, correct or remove it, or give --max-ahead a bound it exceeds%n",
                    behind, io.churnradar.config.Durations.format(java.time.Duration.ofDays(rules.dedupWindowDays)), byGuard.reachedMostOften,
                    byGuard.reachedMostOften);
        }
        if (s.lateEvents > 0 && inputs.stream().anyMatch(in -> in.format == InputFormat.STRIPE)) {
            // The common way to get late Stripe events: a dump of `stripe events list`, which prints the newest first.
            out.printf("  note             %,d late events with a Stripe input: `stripe events list` prints the newest event first;%n"
                    + "                   reverse such a dump before a backtest, e.g. jq '.data | reverse' (docs/inputs.md)%n", s.lateEvents);
        }
        if (ahead > 0) {
            out.printf("  note             %,d of the dead letters were further ahead than --max-ahead (%s) of %s: a history with a%n"
                    + "                   quiet gap longer than that loses what follows it; run again with a longer --max-ahead, or --now at%n"
                    + "                   the history's end%n", ahead, io.churnradar.config.Durations.format(maxAhead),
                    now == null ? "the event time reached" : "--now");
        }
        if (!s.earlierResultsRemoved.isEmpty()) {
            out.printf("  removed          %s (an earlier run's, which this run does not write)%n", String.join(", ", s.earlierResultsRemoved));
        }
        out.printf("  elapsed          %s%n", Durations.human(Duration.ofNanos(System.nanoTime() - started)));
        return 0;
    }

    /** The backtest's options for the job settings it does not read from --config. */
    private static final java.util.Map<String, String> OPTION_FOR = java.util.Map.of(
            "eventTime.maxOutOfOrderness", "--max-out-of-orderness", "eventTime.maxAheadOfNow", "--max-ahead",
            "limits.maxRecordBytes", "--max-line-bytes");

    /**
     * Says which settings of a job's config the backtest does not use (it reads the formats and kpis sections only): a user
     * handing it the streaming job's file would otherwise believe its bound or limits apply.
     */
    static void printIgnoredSettings(PrintStream out, Path config) {
        com.fasterxml.jackson.databind.JsonNode root = io.churnradar.config.YamlTree.readFile(config);
        List<String> ignored = new ArrayList<>();
        root.fieldNames().forEachRemaining(section -> {
            if (section.equals("formats") || section.equals("kpis")) return;
            com.fasterxml.jackson.databind.JsonNode v = root.get(section);
            if (v != null && v.isObject() && (section.equals("eventTime") || section.equals("limits"))) {
                v.fieldNames().forEachRemaining(key -> {
                    String option = OPTION_FOR.get(section + "." + key);
                    ignored.add(section + "." + key + (option == null ? "" : " (use " + option + ")"));
                });
            } else {
                ignored.add(section);
            }
        });
        if (ignored.isEmpty()) return;
        out.printf("  note             --config %s: the backtest reads its formats and kpis only; not used here: %s%n", config,
                String.join(", ", ignored));
    }

    /** Says which files of an input's folder are not read, so that a history missing a month does not go unnoticed. */
    static void printLeftOut(PrintStream out, BacktestInput in) throws java.io.IOException {
        List<Path> left = in.leftOut();
        if (left.isEmpty()) return;
        String names = left.stream().limit(5).map(f -> Path.of(in.path).relativize(f).toString())
                .collect(java.util.stream.Collectors.joining(", "));
        out.printf("  note             %,d file%s in %s not read (%s): %s%s%n", left.size(), left.size() == 1 ? "" : "s", in.path,
                in.format == InputFormat.CHURN_RADAR ? "only .jsonl and .jsonl.gz are" : "only .jsonl, .jsonl.gz and .json are",
                names, left.size() > 5 ? ", ..." : "");
    }

    /**
     * The dead letters rejected as too far ahead and as too late, counted from the file the run wrote, by their reason
     * (the first field of each line): a count in the job's summary would take a counter through every operator for a note.
     */
    /** The dead letters of the event-time guard: how many too far ahead, how many too late, and the reached time most of those were behind. */
    private record GuardedDeadLetters(long ahead, long behind, String reachedMostOften) {}

    private static GuardedDeadLetters deadLetteredByGuard(Path deadLetters) throws java.io.IOException {
        long[] n = {0, 0};
        java.util.Map<String, Long> reached = new java.util.HashMap<>();
        if (!Files.isRegularFile(deadLetters)) return new GuardedDeadLetters(0, 0, null);
        JsonFactory json = new JsonFactory();
        try (BufferedReader r = Files.newBufferedReader(deadLetters, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                try (JsonParser p = json.createParser(line)) {
                    if (p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
                            && "reason".equals(p.currentName()) && p.nextToken() == JsonToken.VALUE_STRING) {
                        String reason = p.getText();
                        if (EventTimeGuard.isTooFarAhead(reason)) {
                            n[0]++;
                        } else if (EventTimeGuard.isTooLate(reason)) {
                            n[1]++;
                            String at = EventTimeGuard.reachedOf(reason);
                            // Bounded: a folder of overlapping files makes a new reached time at each event of each file.
                            if (at != null && (reached.size() < 10_000 || reached.containsKey(at))) reached.merge(at, 1L, Long::sum);
                        }
                    }
                }
            }
        }
        String most = reached.entrySet().stream().max(java.util.Map.Entry.<String, Long>comparingByValue()
                .thenComparing(java.util.Map.Entry.comparingByKey())).map(java.util.Map.Entry::getKey).orElse("the event time reached");
        return new GuardedDeadLetters(n[0], n[1], most);
    }

    /** The model of --model; one that does not read is a usage error naming the option. */
    private ModelReference model(Path file) {
        try {
            return ModelReference.of(file);
        } catch (java.io.IOException | RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "--model: cannot use " + file + ": " + e.getMessage());
        }
    }

    /** The limits on hostile input: --now, --max-ahead, --max-line-bytes. */
    private BacktestLimits limits() {
        Values.range(spec, "--max-line-bytes", maxLineBytes, 1024, BacktestLimits.MAX_MAX_LINE_BYTES);
        // Below a minute nearly every event would be ahead of the last; the streaming job's own bound allows 1m..30d.
        Values.range(spec, "--max-ahead", maxAhead, Duration.ofMinutes(1), Duration.ofDays(3650));
        return new BacktestLimits(now, maxAhead, maxLineBytes);
    }

    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir); // refused while it holds anything: then it stays
        } catch (java.io.IOException e) {
            // not empty, or already gone
        }
    }
}
