package io.churnradar.backtest.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.backtest.input.RejectedLine;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.kpi.KpiSettings;
import io.churnradar.outcome.OutcomeTally;
import io.churnradar.outcome.OutcomesJson;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.retention.RetentionKpi;
import io.churnradar.topology.Outputs;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The backtest's outputs as files: the job's sinks write sorted runs into a scratch folder (and the
 * playbook tally its outcomes.json), then {@link #write} merges the runs into the result files. Nothing
 * holds every record anywhere: the sinks a run each, the merge a record and a buffer per run.
 */
public final class BacktestOutputs {
    private static final ObjectMapper JSON_LINE = new ObjectMapper();

    static final SortedRunSink.Stream ALERTS = new SortedRunSink.Stream("alerts");
    /** A mark of each account's last change: its account, and the key of that change. */
    static final SortedRunSink.Stream HEALTH_LAST = new SortedRunSink.Stream("health-last");
    /** Each change, and a mark of each account's last one (key part 1) in HEALTH_LAST. */
    static final SortedRunSink.Stream HEALTH_CHANGES = new SortedRunSink.Stream("health-changes").keepingLastOf(1, HEALTH_LAST);
    /** The churn scores of the day closes, when the rules carry a model (scores.jsonl). */
    static final SortedRunSink.Stream SCORES = new SortedRunSink.Stream("scores");
    static final SortedRunSink.Stream AUDIT = new SortedRunSink.Stream("command-audit");
    static final SortedRunSink.Stream COMMANDS = new SortedRunSink.Stream("commands");
    static final SortedRunSink.Stream DEAD_LETTERS = new SortedRunSink.Stream("dead-letters");
    static final SortedRunSink.Stream KPIS = new SortedRunSink.Stream("kpis");
    static final String ALERTS_FILE = "alerts.jsonl";
    static final String DEAD_LETTER_FILE = "dead-letter.jsonl";
    static final String AUDIT_FILE = "command-audit.jsonl";
    static final String COMMANDS_FILE = "commands.jsonl";
    static final String KPIS_FILE = "kpis.jsonl";
    static final String OUTCOMES_FILE = "outcomes.json";
    static final String HEALTH_FILE = "health.jsonl";
    static final String SCORES_FILE = "scores.jsonl";
    /** Every file {@link #write} may write into a results folder, in its order; scores.jsonl only with a model. */
    public static final List<String> FILES = List.of(ALERTS_FILE, DEAD_LETTER_FILE, AUDIT_FILE, COMMANDS_FILE, KPIS_FILE,
            OUTCOMES_FILE, HEALTH_FILE, SCORES_FILE);

    private BacktestOutputs() {}

    /** The sinks of a backtest writing into {@code scratch}, each subtask sorting runs of at most {@code runBytes}. */
    static Outputs<RejectedLine> outputs(Path scratch, long runBytes) {
        return outputs(scratch, runBytes, KpiSettings.defaults());
    }

    /** As above, the retention KPIs segmented by {@code kpis}. */
    public static Outputs<RejectedLine> outputs(Path scratch, long runBytes, KpiSettings kpis) {
        return Outputs.<RejectedLine>builder()
                .alerts(new SortedRunSink<>(scratch, List.of(ALERTS), runBytes, BacktestOutputs::alert), "Alerts to files")
                .health(new SortedRunSink<>(scratch, List.of(HEALTH_CHANGES, HEALTH_LAST, SCORES), runBytes, BacktestOutputs::health),
                        "Health updates to files")
                .commandsAudit(new SortedRunSink<>(scratch, List.of(AUDIT), runBytes, BacktestOutputs::command),
                        "Command audit to files")
                .commands(new SortedRunSink<>(scratch, List.of(COMMANDS), runBytes, BacktestOutputs::command), "Commands to files")
                // One tally of counts per playbook: one subtask, so no tallies to add up afterwards.
                .outcomeEvents(Outputs.Output.of(new OutcomesSink(scratch), "Playbook outcomes tallied").withParallelism(1))
                .kpis(Outputs.Output.of(new SortedRunSink<>(scratch, List.of(KPIS), runBytes, BacktestOutputs::kpi), "Retention KPIs to files"),
                        kpis)
                // The reader is one subtask: one writer keeps a line's dead letters in the order they were made.
                .deadLetters(Outputs.Output.of(new SortedRunSink<>(scratch, List.of(DEAD_LETTERS), runBytes, BacktestOutputs::rejected),
                        "Dead letters to files").withParallelism(1))
                .build();
    }

    // Sort keys: alerts by detectedAt, account, signal, episode start, and then in the order the detector made them (the
    // merge is stable, and one account's alerts come from one subtask): an episode that ends at the instant the next one
    // starts comes whole before it, even when both started at that instant, so a reader never sees two open episodes of
    // one signal; decisions by issuedAt, account,
    // command id; dead letters by file, line; health changes by asOf, account; last scores by account; churn
    // scores by day close, account.

    static void alert(RiskAlert a, SortedRunSink.Emitter out) throws IOException {
        out.emit(0, new ExternalSort.Entry(ExternalSort.Key.of(a.getDetectedAt().toEpochMilli(), a.getAccountId(), a.getSignal(),
                a.getEpisodeStart().toEpochMilli()), a.getSignal() + "\t" + a.getStatus().name(),
                AlertJson.toJson(a)));
    }

    static void health(AccountHealth h, SortedRunSink.Emitter out) throws IOException {
        // Also a mark of each account's last change, in HEALTH_LAST (the stream's writer adds it): the merge turns the change it
        // points to into the account's closing line (which differs only in its last field), once per account.
        out.emit(0, healthChange(h));
        if (h.getChurnProbability() != null) {
            out.emit(2, new ExternalSort.Entry(ExternalSort.Key.of(h.getChurnScoredAt().toEpochMilli(), h.getAccountId()), null,
                    HealthJson.scoreJson(h)));
        }
    }

    /** A health update's record among the changes: its line, keyed by its time and account (the micro-benchmark adds it too). */
    public static ExternalSort.Entry healthChange(AccountHealth h) {
        return new ExternalSort.Entry(ExternalSort.Key.of(h.getAsOf().toEpochMilli(), h.getAccountId()), null, HealthJson.toJson(h, false));
    }

    static void command(RetentionCommand c, SortedRunSink.Emitter out) throws IOException {
        out.emit(0, new ExternalSort.Entry(ExternalSort.Key.of(c.getIssuedAt().toEpochMilli(), c.getAccountId(), c.getCommandId()),
                c.getDisposition().name(), CommandJson.toJson(c)));
    }

    /** By day, then segment: one record per day and segment (SegmentKpis). */
    static void kpi(RetentionKpi k, SortedRunSink.Emitter out) throws IOException {
        out.emit(0, new ExternalSort.Entry(ExternalSort.Key.of(k.getDay(), k.getSegment()), null, KpiJson.toJson(k)));
    }

    static void rejected(RejectedLine l, SortedRunSink.Emitter out) throws IOException {
        out.emit(0, new ExternalSort.Entry(ExternalSort.Key.of(l.file, l.line), null, rejectedJson(l)));
    }

    static String rejectedJson(RejectedLine l) {
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
        if (l.originalBase64 != null) n.put("originalBase64", l.originalBase64);
        return n.toString();
    }

    /**
     * How far the merge is, for its progress lines: the bytes written to the result files, those the passes that
     * first merge more than {@link ExternalSort#MAX_FAN_IN} runs of one file into fewer have written, the file being
     * written and the time of its line written last. Written by the merging thread, read by the progress lines' own.
     */
    public static final class MergeProgress {
        /** What {@link #lineTime} says when the line written last is not in a file in time order. */
        public static final long NO_TIME = Long.MIN_VALUE;

        public final AtomicLong written = new AtomicLong();
        public final AtomicLong regrouped = new AtomicLong();
        private volatile FileInProgress file;
        private final AtomicLong lineTime = new AtomicLong(NO_TIME);

        /**
         * A result file being written: its name, whether its lines come in time order (their keys lead with it, so that
         * the time of the line written last says how far the file is), and when its writing began ({@link System#nanoTime}).
         */
        public record FileInProgress(String name, boolean inTimeOrder, long startedNanos) {}

        /** The file being written; null before the first. */
        public FileInProgress file() {
            return file;
        }

        /** The time (epoch milliseconds) of the line written last, or {@link #NO_TIME}. */
        public long lineTime() {
            return lineTime.get();
        }

        void start(String name, boolean inTimeOrder) {
            lineTime.set(NO_TIME);
            file = new FileInProgress(name, inTimeOrder, System.nanoTime());
        }
    }

    /** What the merge counted for summary.json. */
    public static final class Counts {
        public long alerts;
        /** signal -> status -> count */
        public final Map<String, Map<String, Long>> alertsBySignal = new TreeMap<>();
        public long healthUpdates;
        public long healthAccounts;
        public long churnScores;
        public final Map<String, Long> commandDecisions = new TreeMap<>();
        public long commandsSent;
        /** The sorted runs the sinks spilled, all outputs together. */
        public long runs;
        /** The result files written, by name, in the order written. */
        public final List<String> files = new ArrayList<>();

        /** The result file {@code name} in {@code outDir}, counted among those written. */
        Path file(Path outDir, String name) {
            files.add(name);
            return outDir.resolve(name);
        }
    }

    /**
     * Merges the runs in {@code scratch} into the result files in {@code outDir}, outcomes.json included, and
     * scores.jsonl when the rules carried a churn model ({@code scored}), adding the bytes written to {@code progress}
     * as it goes (the progress lines).
     */
    public static Counts write(Path scratch, Path outDir, boolean scored, long runBytes, MergeProgress progress) throws IOException {
        Counts c = new Counts();
        java.util.function.IntConsumer runs = n -> c.runs += n;
        c.alerts = merge(scratch, c.file(outDir, ALERTS_FILE), "\n", progress, r -> {
            String[] signalStatus = r.tag().split("\t", 2);
            c.alertsBySignal.computeIfAbsent(signalStatus[0], k -> new TreeMap<>()).merge(signalStatus[1], 1L, Long::sum);
        }, ALERTS, true, runs);
        merge(scratch, c.file(outDir, DEAD_LETTER_FILE), "\n", progress, r -> {}, DEAD_LETTERS, false, runs);
        merge(scratch, c.file(outDir, AUDIT_FILE), "\n", progress, r -> c.commandDecisions.merge(r.tag(), 1L, Long::sum), AUDIT,
                true, runs);
        c.commandsSent = merge(scratch, c.file(outDir, COMMANDS_FILE), "\n", progress, r -> {}, COMMANDS, true, runs);
        merge(scratch, c.file(outDir, KPIS_FILE), "\n", progress, r -> {}, KPIS, false, runs); // by day number, not time
        Path outcomes = scratch.resolve(OUTCOMES_FILE);
        if (Files.exists(outcomes)) {
            Files.move(outcomes, c.file(outDir, OUTCOMES_FILE), StandardCopyOption.REPLACE_EXISTING);
        } else {
            OutcomesJson.write(new OutcomeTally(), c.file(outDir, OUTCOMES_FILE));
        }
        // health.jsonl: every change, then the last score of each account (as Files.write ended its lines), the
        // change the account's mark points to, sorted by account.
        long[] counts = new long[2];
        try (OutputStream w = lines(c.file(outDir, HEALTH_FILE))) {
            List<Path> changes = HEALTH_CHANGES.runs(scratch);
            List<Path> marks = HEALTH_LAST.runs(scratch);
            runs.accept(changes.size() + marks.size());
            byte[] end = System.lineSeparator().getBytes(StandardCharsets.UTF_8);
            // First the marks are sorted by account (seconds for a million accounts, nothing written), then the changes
            // come in time order, then each account's last score by account.
            progress.start("health.jsonl, finding each account's last score", false);
            Consumer<ExternalSort.Record> change = r -> {
                if (counts[0]++ == 0) progress.start("health.jsonl", true);
            };
            Consumer<ExternalSort.Record> lastScore = r -> {
                if (counts[1]++ == 0) progress.start("health.jsonl, each account's last score", false);
            };
            unchecked(() -> ExternalSort.mergeKeepingLast(changes, marks, scratch, runBytes,
                    lineWriter(w, end, progress, change, null, true),
                    lineWriter(w, end, progress, lastScore, HealthJson::writeAsFinal, false),
                    progress.regrouped::addAndGet));
        }
        // scores.jsonl: one line per account and scored day close, only with a model (no model: no runs, no file).
        if (scored) c.churnScores = merge(scratch, c.file(outDir, SCORES_FILE), "\n", progress, r -> {}, SCORES, true, runs);
        c.healthUpdates = counts[0];
        c.healthAccounts = counts[1];
        return c;
    }

    /** A result file written from the runs' bytes: lines are UTF-8 in the runs and in the file alike. */
    private static OutputStream lines(Path file) throws IOException {
        return new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
    }

    /**
     * Merges the runs of {@code stream} into {@code file}, each line as it was; {@code inTimeOrder}: the stream's keys lead
     * with the line's time, which the progress lines follow.
     */
    private static long merge(Path scratch, Path file, String newline, MergeProgress progress, Consumer<ExternalSort.Record> count,
            SortedRunSink.Stream stream, boolean inTimeOrder, java.util.function.IntConsumer runCount) throws IOException {
        byte[] end = newline.getBytes(StandardCharsets.UTF_8);
        long[] lines = {0};
        List<Path> runs = stream.runs(scratch);
        runCount.accept(runs.size());
        progress.start(file.getFileName().toString(), inTimeOrder);
        try (OutputStream w = lines(file)) {
            unchecked(() -> ExternalSort.merge(runs, false, scratch, lineWriter(w, end, progress, r -> {
                count.accept(r);
                lines[0]++;
            }, null, inTimeOrder), progress.regrouped::addAndGet));
        }
        return lines[0];
    }

    /**
     * Writes each record's line to {@code w}, as it was or, with {@code finish}, as that makes it, then counts it; with
     * {@code inTimeOrder}, tells {@code progress} the time its key leads with.
     */
    private static Consumer<ExternalSort.Record> lineWriter(OutputStream w, byte[] end, MergeProgress progress,
            Consumer<ExternalSort.Record> count, ExternalSort.LineEdit finish, boolean inTimeOrder) {
        return r -> {
            try {
                long bytes;
                if (finish == null) {
                    r.writeLine(w);
                    bytes = r.lineBytes();
                } else {
                    bytes = r.writeLine(w, finish);
                }
                w.write(end);
                progress.written.addAndGet(bytes + end.length);
                if (inTimeOrder) progress.lineTime.lazySet(r.leadingLong(MergeProgress.NO_TIME));
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            count.accept(r);
        };
    }

    private interface MergeStep {
        void run() throws IOException;
    }

    /** Runs a merge whose line writer reports a failure to write unchecked, as the IOException it was. */
    private static void unchecked(MergeStep merge) throws IOException {
        try {
            merge.run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Tallies the outcome events per playbook in the job and writes outcomes.json into the scratch folder at the end. */
    static final class OutcomesSink implements Sink<OutcomeEvent> {
        private static final long serialVersionUID = 1L;
        private final String scratch;

        OutcomesSink(Path scratch) {
            this.scratch = scratch.toString();
        }

        @Override
        public SinkWriter<OutcomeEvent> createWriter(WriterInitContext context) {
            Path file = Path.of(scratch, OUTCOMES_FILE);
            OutcomeTally tally = new OutcomeTally();
            return new SinkWriter<>() {
                @Override
                public void write(OutcomeEvent e, Context context) {
                    tally.add(e);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException {
                    if (endOfInput) OutcomesJson.write(tally, file);
                }

                @Override
                public void close() {}
            };
        }
    }
}
