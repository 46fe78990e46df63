package io.churnradar.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.backtest.input.BacktestReading;
import io.churnradar.backtest.input.EventTimeMerge;
import io.churnradar.backtest.results.BacktestOutputs;
import io.churnradar.backtest.results.BacktestRecord;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.EventOrdering;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.report.LabelEvents;
import io.churnradar.topology.ChurnTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the detection of the streaming job over files of payloads in any file format (docs/inputs.md)
 * and writes {@code alerts.jsonl}, {@code health.jsonl}, {@code commands.jsonl} (what the playbooks
 * would have sent), {@code command-audit.jsonl} (every decision), {@code outcomes.json},
 * {@code kpis.jsonl} (retention KPIs per day and segment), {@code dead-letter.jsonl} and {@code summary.json}, in place of
 * every result file of an earlier run in the same folder (its other files stay). The rules are fixed for
 * the whole run: the ones given (a backtest has no rules topic). The graph is the streaming job's
 * ({@link ChurnTopology}) with file sinks: each output streams into sorted runs in a scratch folder under
 * the output folder, merged into the result files once the job is done and removed then (or on failure),
 * so memory follows the accounts (the detector's state), never the number of events or outputs.
 *
 * <p>It runs in STREAMING mode over a bounded input: BATCH mode would fire event-time timers only at
 * the end of each key's input and lose day-by-day semantics (an inactivity gap in the middle of the
 * data). Each input is read by a {@code FileSource} of its own, its files in name order, its watermarks made
 * from its events alone; the inputs meet sorted within the out-of-orderness bound ({@link BacktestReading}),
 * so the detector applies each event on arrival instead of holding it in its account's buffer until a timer,
 * and the same input yields the same alerts at any parallelism and speed.
 */
public final class BacktestJob {
    public static final String JOB_NAME = "churn-radar-backtest";
    static final String SUMMARY_FILE = "summary.json";
    /** Every file a backtest may leave in its results folder: the merge's, this summary and the report. */
    public static final List<String> RESULT_FILES = java.util.stream.Stream.concat(BacktestOutputs.FILES.stream(),
            java.util.stream.Stream.of(SUMMARY_FILE, io.churnradar.report.ReportWriter.FILE)).toList();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /**
     * The most a sink subtask sorts in memory before it spills a run to the scratch folder, per output
     * (estimated bytes): with outputs of several GB the runs grow in number, not the heap. Tests set it
     * tiny to make every output spill.
     */
    public static final ConfigOption<Long> SORT_RUN_BYTES = ConfigOptions.key("churn-radar.backtest.sort-run-bytes")
            .longType()
            .defaultValue(16L * 1024 * 1024)
            .withDescription("The most each backtest output sink sorts in memory per subtask before spilling a run to disk.");

    /** The retention KPIs' MRR band bounds in currency units (job settings kpis.mrrBands; the launcher sets them from --config). */
    public static final ConfigOption<List<Long>> KPI_MRR_BANDS = ConfigOptions.key("churn-radar.kpis.mrr-bands")
            .longType()
            .asList()
            .defaultValues(io.churnradar.kpi.KpiSettings.DEFAULT_BANDS.toArray(new Long[0]))
            .withDescription("Upper bounds of the retention KPIs' MRR bands, in currency units, ascending.");
    /** How many cancellation reasons each KPI record names (job settings kpis.topCancelReasons). */
    public static final ConfigOption<Integer> KPI_TOP_REASONS = ConfigOptions.key("churn-radar.kpis.top-cancel-reasons")
            .intType()
            .defaultValue(io.churnradar.kpi.KpiSettings.DEFAULT_TOP_REASONS)
            .withDescription("How many cancellation reasons each retention KPI record names.");

    /** Sets the KPI options of a backtest's Flink configuration from job settings. */
    public static void setKpiSettings(Configuration flinkConfig, io.churnradar.kpi.KpiSettings kpis) {
        flinkConfig.set(KPI_MRR_BANDS, kpis.bounds());
        flinkConfig.set(KPI_TOP_REASONS, kpis.topReasons);
    }

    private BacktestJob() {}

    /** The {@code .jsonl} and {@code .jsonl.gz} files at PATH (a file, or a folder searched recursively), by name. */
    public static List<Path> inputFiles(Path events) throws IOException {
        return new BacktestInput(InputFormat.CHURN_RADAR, events).files();
    }

    /** A backtest of one input in our own JSON Lines. */
    /**
     * A replay that fails is not restarted: it has no checkpoint to resume from, so a restart reads everything again, and
     * what stops a replay (too little memory, an input cut off) stops it again; the first failure ends it, with its
     * message (local Flink restarts a job three times, for the streaming job's sake).
     */
    static void noRestarts(StreamExecutionEnvironment env) {
        env.configure(new org.apache.flink.configuration.Configuration().set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY,
                org.apache.flink.configuration.RestartStrategyOptions.RestartStrategyType.NO_RESTART_STRATEGY.getMainValue()));
    }

    public static BacktestSummary run(Path events, Path outDir, Rules rules, Duration maxOutOfOrderness, int parallelism,
            Configuration flinkConfig) throws Exception {
        return run(events, outDir, rules, maxOutOfOrderness, parallelism, flinkConfig, BacktestLimits.defaults());
    }

    /** A backtest of one input in our own JSON Lines, with limits on hostile input. */
    public static BacktestSummary run(Path events, Path outDir, Rules rules, Duration maxOutOfOrderness, int parallelism,
            Configuration flinkConfig, BacktestLimits limits) throws Exception {
        return run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, events)), FormatOptions.defaults(), outDir, rules,
                maxOutOfOrderness, parallelism, flinkConfig, limits);
    }

    /** A backtest of inputs in any file formats, merged by event time; {@code options} set the formats' mappings. */
    public static BacktestSummary run(List<BacktestInput> inputs, FormatOptions options, Path outDir, Rules rules,
            Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig) throws Exception {
        return run(inputs, options, outDir, rules, maxOutOfOrderness, parallelism, flinkConfig, BacktestLimits.defaults());
    }

    /**
     * A backtest of inputs in any file formats, merged by event time; {@code options} set the formats'
     * mappings, {@code limits} what hostile input is dead-lettered (--now, --max-ahead, --max-line-bytes).
     */
    public static BacktestSummary run(List<BacktestInput> inputs, FormatOptions options, Path outDir, Rules rules,
            Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig, BacktestLimits limits) throws Exception {
        return run(inputs, options, outDir, rules, maxOutOfOrderness, parallelism, flinkConfig, limits, null);
    }

    /** As above, printing a progress line to {@code progress} every few seconds (null: none). */
    public static BacktestSummary run(List<BacktestInput> inputs, FormatOptions options, Path outDir, Rules rules,
            Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig, BacktestLimits limits,
            java.util.function.Consumer<String> progress) throws Exception {
        return run(inputs, options, outDir, rules, maxOutOfOrderness, parallelism, flinkConfig, limits, progress, false);
    }

    /** As above; with {@code report}, also {@value io.churnradar.report.ReportWriter#FILE} (io.churnradar.report). */
    public static BacktestSummary run(List<BacktestInput> inputs, FormatOptions options, Path outDir, Rules rules,
            Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig, BacktestLimits limits,
            java.util.function.Consumer<String> progress, boolean report) throws Exception {
        List<Path> allFiles = BacktestInput.files(inputs);
        int fileCount = allFiles.size();
        Files.createDirectories(outDir);

        // Under the output folder: the runs may be as large as the outputs, and a move into place stays on one disk.
        // Removed however the run ends, also by Ctrl-C or a kill: the runs may be GBs, never leave them behind.
        try (ScratchFolder folder = ScratchFolder.create(outDir, ".backtest-scratch-")) {
            Path scratch = folder.path();
            folder.sayRemovedAbandoned(progress);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig);
            env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
            BacktestJob.noRestarts(env);
            env.setParallelism(parallelism);
            env.getConfig().enableObjectReuse(); // no function keeps a reference to its input

            SingleOutputStreamOperator<AccountEvent> timed = BacktestReading.events(env, inputs, options, limits, rules, maxOutOfOrderness);
            ChurnTopology.build(timed, timed.getSideOutput(BacktestReading.REJECTED), null, rules, null, EventOrdering.defaults().withSortedInput(),
                    BacktestOutputs.outputs(scratch, flinkConfig.get(SORT_RUN_BYTES),
                            io.churnradar.kpi.KpiSettings.of(flinkConfig.get(KPI_MRR_BANDS), flinkConfig.get(KPI_TOP_REASONS))));
            if (report) LabelEvents.collect(timed, scratch); // the report's churn labels need the events

            JobClient job = env.executeAsync(JOB_NAME);
            JobExecutionResult result;
            try (BacktestProgress ignored = BacktestProgress.ofJob(job, allFiles, scratch, progress)) {
                result = job.getJobExecutionResult().get();
            }
            // The folder holds this run's results alone: an earlier run's report.html or scores.jsonl left beside them
            // would pass for this run's (a report read over another model's scores). Removed once the job has read its
            // input, so that a run that input stops leaves the earlier results whole.
            List<String> earlier = removeEarlierResults(outDir);
            BacktestOutputs.Counts counts = writeResults(scratch, outDir, rules.model != null, flinkConfig.get(SORT_RUN_BYTES),
                    eventTime(result, EventTimeMerge.FIRST_EVENT_TIME), eventTime(result, EventTimeMerge.LAST_EVENT_TIME), progress);
            if (progress != null) progress.accept(String.format("  merged %,d sorted runs into the result files", counts.runs));
            BacktestSummary s = summary(result, counts, rules);
            s.files = fileCount;
            s.resultFiles.addAll(counts.files);
            s.resultFiles.add(SUMMARY_FILE);
            if (report) s.resultFiles.add(io.churnradar.report.ReportWriter.FILE);
            earlier.removeAll(s.resultFiles);
            s.earlierResultsRemoved = earlier;
            JSON.writeValue(outDir.resolve(SUMMARY_FILE).toFile(), s);
            if (report) BacktestReport.write(outDir, scratch, rules, s);
            return s;
        }
    }

    /** Deletes the result files in {@code outDir}, and names those there were; any other file stays. */
    private static List<String> removeEarlierResults(Path outDir) throws IOException {
        List<String> removed = new ArrayList<>();
        for (String name : RESULT_FILES) if (Files.deleteIfExists(outDir.resolve(name))) removed.add(name);
        return removed;
    }

    /**
     * Merges the job's sorted runs into the result files, with a progress line every few seconds (GBs take minutes) that
     * says which file it writes and, for the files in time order, how far into the events' time {@code from..to}.
     */
    private static BacktestOutputs.Counts writeResults(Path scratch, Path outDir, boolean scored, long runBytes, long from, long to,
            java.util.function.Consumer<String> progress) throws IOException {
        BacktestProgress.Runs runs = BacktestProgress.Runs.in(scratch);
        BacktestOutputs.MergeProgress merged = new BacktestOutputs.MergeProgress();
        long started = System.nanoTime();
        try (BacktestProgress ignored = BacktestProgress.of(() -> {
            long now = System.nanoTime();
            return BacktestProgress.mergeLine(runs.count(), runs.bytes(), merged.written.get(), merged.regrouped.get(), (now - started) / 1e9)
                    + BacktestProgress.position(merged.file(), merged.lineTime(), from, to, now);
        }, progress)) {
            return BacktestOutputs.write(scratch, outDir, scored, runBytes, merged);
        }
    }

    private static BacktestSummary summary(JobExecutionResult result, BacktestOutputs.Counts counts, Rules rules) {
        BacktestSummary s = new BacktestSummary();
        s.linesRead = count(result, EventTimeMerge.LINES_READ);
        s.blankLines = count(result, EventTimeMerge.BLANK_LINES);
        s.deadLettered = count(result, EventTimeMerge.DEAD_LETTERED);
        s.skipped = count(result, EventTimeMerge.SKIPPED);
        s.eventsAccepted = count(result, ChurnDetector.ACCEPTED);
        s.duplicates = count(result, ChurnDetector.DUPLICATES);
        s.lateEvents = count(result, ChurnDetector.LATE);
        s.ruleVersion = rules.version;
        s.model = rules.model == null ? null : rules.model.id();
        s.alertsTotal = counts.alerts;
        s.alerts.putAll(counts.alertsBySignal);
        s.healthUpdates = counts.healthUpdates;
        s.healthAccounts = counts.healthAccounts;
        s.churnScores = counts.churnScores;
        s.commandDecisions.putAll(counts.commandDecisions);
        s.commandsSent = counts.commandsSent;
        if (s.eventsAccepted + s.duplicates > 0) {
            s.firstEventTime = Instant.ofEpochMilli(result.<Long>getAccumulatorResult(EventTimeMerge.FIRST_EVENT_TIME)).toString();
            s.lastEventTime = Instant.ofEpochMilli(result.<Long>getAccumulatorResult(EventTimeMerge.LAST_EVENT_TIME)).toString();
        }
        return s;
    }

    /**
     * The lines of health.jsonl, in memory: the order {@link BacktestOutputs} reproduces with runs on disk
     * (an account's updates all come from one subtask, so {@code seq}, the order they were made in, is
     * the order of its runs). Every change by {@code asOf}, then account (an account's changes at one
     * instant in the order the detector made them), then one {@code "final": true} line per account, by
     * account, with its last score (the last the detector made, as the compacted Kafka topic keeps).
     */
    static List<String> healthLines(List<BacktestRecord> updates) {
        List<BacktestRecord> changes = new ArrayList<>(updates);
        changes.sort(Comparator.<BacktestRecord>comparingLong(r -> r.time)
                .thenComparing(r -> r.accountId)
                .thenComparingLong(r -> r.seq));
        Map<String, BacktestRecord> last = new TreeMap<>();
        for (BacktestRecord r : updates) {
            last.merge(r.accountId, r, (a, b) -> a.seq >= b.seq ? a : b);
        }
        List<String> lines = new ArrayList<>(changes.size() + last.size());
        for (BacktestRecord r : changes) lines.add(r.json);
        for (BacktestRecord r : last.values()) lines.add(r.finalJson);
        return lines;
    }

    /** An event-time accumulator of the job, {@link BacktestOutputs.MergeProgress#NO_TIME} without events. */
    private static long eventTime(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v instanceof Long t ? t : BacktestOutputs.MergeProgress.NO_TIME;
    }

    private static long count(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    static BacktestRecord fromHealth(AccountHealth h) {
        BacktestRecord r = new BacktestRecord();
        r.health = true;
        r.time = h.getAsOf().toEpochMilli();
        r.accountId = h.getAccountId();
        r.json = HealthJson.toJson(h, false);
        r.finalJson = HealthJson.asFinal(r.json);
        return r;
    }
}
