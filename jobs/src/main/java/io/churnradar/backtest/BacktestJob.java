package io.churnradar.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.CommandDisposition;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.outcome.OutcomeTally;
import io.churnradar.outcome.OutcomesJson;
import io.churnradar.play.OutcomeEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs the detection of the streaming job over files of payloads in any file format (docs/inputs.md)
 * and writes {@code alerts.jsonl}, {@code health.jsonl}, {@code commands.jsonl} (what the playbooks
 * would have sent), {@code command-audit.jsonl} (every decision), {@code outcomes.json},
 * {@code dead-letter.jsonl} and {@code summary.json}. The rules are fixed for
 * the whole run: the ones given (a backtest has no rules topic).
 *
 * <p>It runs in STREAMING mode over a bounded input: BATCH mode would fire event-time timers only at
 * the end of each key's input and lose day-by-day semantics (an inactivity gap in the middle of the
 * data). One reader merges the inputs by event time, each input's files in name order, and its
 * watermarks follow the events alone, so the same input yields the same alerts at any parallelism and speed.
 */
public final class BacktestJob {
    public static final String JOB_NAME = "churn-radar-backtest";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSON_LINE = new ObjectMapper();

    private BacktestJob() {}

    /** The {@code .jsonl} and {@code .jsonl.gz} files at PATH (a file, or a folder searched recursively), by name. */
    public static List<Path> inputFiles(Path events) throws IOException {
        return new BacktestInput(InputFormat.CHURN_RADAR, events).files();
    }

    /** A backtest of one input in our own JSON Lines. */
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
        List<Path> allFiles = new ArrayList<>();
        for (BacktestInput in : inputs) allFiles.addAll(in.files());
        int fileCount = allFiles.size();
        Files.createDirectories(outDir);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(parallelism);
        env.getConfig().enableObjectReuse(); // no function keeps a reference to its input

        SingleOutputStreamOperator<AccountEvent> parsed = BacktestReading.events(env, inputs, options, limits, rules);
        DataStream<AccountEvent> timed = parsed
                .assignTimestampsAndWatermarks(EventTimeWatermarks.forEvents(maxOutOfOrderness))
                .uid("event-time").name("Event time").setParallelism(1);

        SingleOutputStreamOperator<RiskAlert> detected = ChurnPipeline.detect(timed, rules, null);
        DataStream<BacktestRecord> alerts = detected
                .map(BacktestJob::fromAlert).uid("alert-records").name("Alerts as records");
        DataStream<BacktestRecord> health = detected.getSideOutput(ChurnDetector.HEALTH)
                .map(BacktestJob::fromHealth).uid("health-records").name("Health updates as records");
        DataStream<BacktestRecord> commands = detected.getSideOutput(ChurnDetector.COMMANDS)
                .map(BacktestJob::fromCommand).uid("command-records").name("Decisions as records");
        DataStream<BacktestRecord> outcomes = detected.getSideOutput(ChurnDetector.OUTCOMES)
                .map(BacktestJob::fromOutcome).uid("outcome-records").name("Outcomes as records");
        DataStream<BacktestRecord> rejected = parsed.getSideOutput(ReadInputs.REJECTED)
                .map(BacktestJob::fromRejected).uid("rejected-records").name("Dead letters as records").setParallelism(1);

        List<BacktestRecord> alertRecords = new ArrayList<>();
        List<BacktestRecord> rejectedRecords = new ArrayList<>();
        List<BacktestRecord> healthRecords = new ArrayList<>();
        List<BacktestRecord> commandRecords = new ArrayList<>();
        OutcomeTally outcomeTally = new OutcomeTally();
        CloseableIterator<BacktestRecord> results = alerts.union(rejected, health, commands, outcomes).collectAsync();
        JobClient job = env.executeAsync(JOB_NAME);
        try (results; BacktestProgress ignored = BacktestProgress.start(job, allFiles, progress)) {
            long seq = 0;
            while (results.hasNext()) {
                BacktestRecord r = results.next();
                if (r.health) {
                    r.seq = seq++;
                    healthRecords.add(r);
                } else if (r.command) {
                    commandRecords.add(r);
                } else if (r.outcome != null) {
                    outcomeTally.add(r.outcome);
                } else {
                    (r.alert ? alertRecords : rejectedRecords).add(r);
                }
            }
        }
        JobExecutionResult result = job.getJobExecutionResult().get();

        alertRecords.sort(Comparator.<BacktestRecord>comparingLong(r -> r.time)
                .thenComparing(r -> r.accountId)
                .thenComparing(r -> r.signal)
                .thenComparingInt(r -> r.status)
                .thenComparing(r -> r.alertId));
        rejectedRecords.sort(Comparator.<BacktestRecord, String>comparing(r -> r.file).thenComparingLong(r -> r.line));
        writeLines(outDir.resolve("alerts.jsonl"), alertRecords);
        writeLines(outDir.resolve("dead-letter.jsonl"), rejectedRecords);
        commandRecords.sort(Comparator.<BacktestRecord>comparingLong(r -> r.time)
                .thenComparing(r -> r.accountId)
                .thenComparing(r -> r.alertId));
        writeLines(outDir.resolve("command-audit.jsonl"), commandRecords);
        writeLines(outDir.resolve("commands.jsonl"), commandRecords.stream().filter(r -> r.sent).toList());
        OutcomesJson.write(outcomeTally, outDir.resolve("outcomes.json"));
        List<String> healthLines = healthLines(healthRecords);
        Files.write(outDir.resolve("health.jsonl"), healthLines, StandardCharsets.UTF_8);

        BacktestSummary s = new BacktestSummary();
        s.files = fileCount;
        s.linesRead = count(result, ReadInputs.LINES_READ);
        s.blankLines = count(result, ReadInputs.BLANK_LINES);
        s.deadLettered = count(result, ReadInputs.DEAD_LETTERED);
        s.skipped = count(result, ReadInputs.SKIPPED);
        s.eventsAccepted = count(result, ChurnDetector.ACCEPTED);
        s.duplicates = count(result, ChurnDetector.DUPLICATES);
        s.lateEvents = count(result, ChurnDetector.LATE);
        s.ruleVersion = rules.version;
        s.alertsTotal = alertRecords.size();
        s.healthUpdates = healthRecords.size();
        s.healthAccounts = healthLines.size() - healthRecords.size();
        for (BacktestRecord r : commandRecords) {
            s.commandDecisions.merge(r.signal, 1L, Long::sum);
            if (r.sent) s.commandsSent++;
        }
        for (BacktestRecord r : alertRecords) {
            s.alerts.computeIfAbsent(r.signal, k -> new TreeMap<>())
                    .merge(io.churnradar.alerts.AlertStatus.values()[r.status].name(), 1L, Long::sum);
        }
        if (s.eventsAccepted + s.duplicates > 0) {
            s.firstEventTime = Instant.ofEpochMilli(result.<Long>getAccumulatorResult(ReadInputs.FIRST_EVENT_TIME)).toString();
            s.lastEventTime = Instant.ofEpochMilli(result.<Long>getAccumulatorResult(ReadInputs.LAST_EVENT_TIME)).toString();
        }
        JSON.writeValue(outDir.resolve("summary.json").toFile(), s);
        return s;
    }

    /**
     * The lines of health.jsonl: every change by {@code asOf}, then account (an account's changes at one
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

    private static long count(JobExecutionResult result, String name) {
        Object v = result.getAccumulatorResult(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static void writeLines(Path file, List<BacktestRecord> records) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (BacktestRecord r : records) {
                w.write(r.json);
                w.write('\n');
            }
        }
    }

    static BacktestRecord fromAlert(RiskAlert a) {
        BacktestRecord r = new BacktestRecord();
        r.alert = true;
        r.time = a.getDetectedAt().toEpochMilli();
        r.accountId = a.getAccountId();
        r.signal = a.getSignal();
        r.status = a.getStatus().ordinal();
        r.alertId = a.getAlertId();
        r.json = AlertJson.toJson(a);
        return r;
    }

    static BacktestRecord fromCommand(RetentionCommand c) {
        BacktestRecord r = new BacktestRecord();
        r.command = true;
        r.sent = c.getDisposition() == CommandDisposition.SEND;
        r.time = c.getIssuedAt().toEpochMilli();
        r.accountId = c.getAccountId();
        r.alertId = c.getCommandId();
        r.signal = c.getDisposition().name();
        r.json = CommandJson.toJson(c);
        return r;
    }

    static BacktestRecord fromOutcome(OutcomeEvent o) {
        BacktestRecord r = new BacktestRecord();
        r.outcome = o;
        return r;
    }

    static BacktestRecord fromHealth(AccountHealth h) {
        BacktestRecord r = new BacktestRecord();
        r.health = true;
        r.time = h.getAsOf().toEpochMilli();
        r.accountId = h.getAccountId();
        r.json = HealthJson.toJson(h, false);
        r.finalJson = HealthJson.toJson(h, true);
        return r;
    }

    static BacktestRecord fromRejected(RejectedLine l) {
        BacktestRecord r = new BacktestRecord();
        r.file = l.file;
        r.line = l.line;
        ObjectNode n = JSON_LINE.createObjectNode();
        n.put("reason", l.reason);
        n.put("file", l.file);
        n.put("line", l.line);
        n.put("original", l.original);
        if (l.sha256 != null) {
            n.put("originalBytes", l.originalBytes);
            n.put("originalTruncated", true);
            n.put("sha256", l.sha256);
        }
        r.json = n.toString();
        return r;
    }
}
