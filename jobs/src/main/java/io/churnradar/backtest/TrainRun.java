package io.churnradar.backtest;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.backtest.input.BacktestReading;
import io.churnradar.backtest.input.RejectedLine;
import io.churnradar.config.Rules;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.propensity.AccountSample;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnFeatures;
import io.churnradar.propensity.ChurnLabels;
import io.churnradar.propensity.ChurnModel;
import io.churnradar.propensity.ChurnTrainer;
import io.churnradar.propensity.FeatureRow;
import io.churnradar.propensity.ModelEvaluation;
import io.churnradar.propensity.RowSet;
import io.churnradar.report.CustomerComparison;
import io.churnradar.report.ReportInput;
import io.churnradar.report.ReportWriter;
import io.churnradar.topology.ChurnTopology;
import io.churnradar.topology.Outputs;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code train}: replays a history through the backtest's graph (the same detection code) with one more
 * output, the day-close feature rows of every live account; labels each row from the history after it
 * ({@link ChurnLabels}, censored rows dropped); splits by time — training rows are the day closes whose
 * label was known by the split (close + horizon at or before it), evaluation rows those at or after it —
 * and trains, calibrates and evaluates a {@link ChurnModel}. The same replay's INACTIVITY and USAGE_DROP
 * alerts are compared with the model on the same customers over the evaluation period.
 *
 * <p>Rows, events and alerts stream to files in a scratch folder (removed at the end), so the replay's
 * memory follows the accounts; the training rows are then held once, dense, as XGBoost needs them.
 */
public final class TrainRun {
    static final String EVENTS = "events", ROWS = "rows", ALERTS = "alerts";
    static final byte LOGIN = 0, USAGE = 1, PAYMENT = 2, REFUND = 3, CANCELED = 4, SUBSCRIPTION = 5, OTHER = 6;
    /** The signals the model is compared with. */
    public static final List<String> COMPARED_SIGNALS = List.of("INACTIVITY", "USAGE_DROP");

    private TrainRun() {}

    /**
     * Writes {@code file}: the report page's model section alone (a training run has no alerts, health or
     * playbook outputs of its own): the evaluation on the later period, and the model against the alerts per customer.
     */
    public static void writeReport(Result r, String modelName, Path file) throws IOException {
        List<CustomerComparison.Flagger> flaggers = new ArrayList<>();
        r.customers.forEach((by, f) -> flaggers.add(new CustomerComparison.Flagger(by, f.flagged, defined(f.precision),
                defined(f.recall), defined(f.medianLeadDays))));
        var t = r.model.training();
        ReportWriter.write(ReportInput.modelOnly(io.churnradar.report.ModelEvaluation.of(r.model.evaluation(), "evaluation after " + r.split))
                .title("Churn model " + modelName + " (" + r.definition + ")")
                .subtitle(String.format("Trained until %s on %,d rows (%s .. %s); evaluated on %,d rows from %s", r.split.minusDays(1),
                        t.rows, t.firstDay, t.lastDay, r.evaluationRows, r.split))
                .customers(new CustomerComparison(r.customersEvaluated, r.customersChurned, flaggers)), file);
    }

    private static Double defined(double x) {
        return Double.isNaN(x) ? null : x;
    }

    /** What a run learnt and measured. */
    public static final class Result {
        public ChurnModel model;
        public LocalDate split;
        public String definition;
        public long featureRows;
        public long trainRows;
        public long evaluationRows;
        public long censoredRows;
        /** Rows that would train or evaluate (labelled, on either side of the split), before any sampling. */
        public long usableRows;
        /** The share of the accounts whose rows were used: 1, or less when the usable rows exceed the budget. */
        public double accountShare = 1;
        public long replayMillis;
        public double scoreMicros;
        /** Per flagger ("model p >= 0.5", "INACTIVITY", ...): customers flagged, precision, recall, lead time. */
        public Map<String, CustomerFlags> customers = new LinkedHashMap<>();
        public long customersEvaluated;
        public long customersChurned;

        public String report() {
            StringBuilder b = new StringBuilder();
            var t = model.training();
            b.append(String.format("Label %s; trained until %s on %,d rows (%s .. %s, %,d churn), calibrated on %,d; evaluated on %,d rows from %s (%,d censored rows dropped)%n",
                    definition, split.minusDays(1), t.rows, t.firstDay, t.lastDay, t.positives, model.calibration().rows, evaluationRows,
                    split, censoredRows));
            if (accountShare < 1) {
                b.append(String.format("Sampled %.1f%% of the accounts (all rows of each): %,d usable rows exceed the budget%n",
                        100 * accountShare, usableRows));
            }
            b.append(String.format("Replay %.1f s (%,d feature rows); training %.1f s; scoring %.1f µs per account%n",
                    replayMillis / 1000.0, featureRows, t.millis / 1000.0, scoreMicros));
            b.append("Per row and day, on the later period: ").append(model.evaluation().summary());
            b.append(String.format("Per customer over the later period (%,d customers, %,d churned):%n", customersEvaluated, customersChurned));
            b.append(String.format("  %-18s %9s %9s %7s %14s%n", "flagged by", "customers", "precision", "recall", "median lead d"));
            for (var e : customers.entrySet()) {
                CustomerFlags f = e.getValue();
                b.append(String.format("  %-18s %9d %9s %7s %14s%n", e.getKey(), f.flagged,
                        ModelEvaluation.figure(f.precision), ModelEvaluation.figure(f.recall),
                        Double.isNaN(f.medianLeadDays) ? "-" : String.format("%.0f", f.medianLeadDays)));
            }
            return b.toString();
        }
    }

    public static final class CustomerFlags {
        public long flagged;
        public long truePositives;
        public double precision;
        public double recall;
        /** Median days from the first flag to the churn moment, over the churners flagged before it. */
        public double medianLeadDays = Double.NaN;
    }

    public static Result run(List<BacktestInput> inputs, FormatOptions options, Rules rules, ChurnDefinition definition,
            LocalDate until, Path modelOut, Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig,
            ChurnTrainer.Options trainOptions, Consumer<String> progress) throws Exception {
        try (ScratchFolder folder = ScratchFolder.create(null, "churn-radar-train-")) {
            Path scratch = folder.path();
            folder.sayRemovedAbandoned(progress);
            Result r = new Result();
            long t0 = System.nanoTime();
            replay(inputs, options, rules, definition.horizon(), maxOutOfOrderness, parallelism, flinkConfig, scratch, progress);
            r.replayMillis = (System.nanoTime() - t0) / 1_000_000;
            ChurnLabels labels = labels(scratch, definition);
            r.definition = labels.definition().toString();
            if (labels.dataEnd() == Long.MIN_VALUE) throw new IllegalArgumentException("the history has no events");
            Map<String, Integer> index = new HashMap<>();
            List<String> names = new ArrayList<>();
            RowSet train = new RowSet(ChurnFeatures.COUNT), eval = new RowSet(ChurnFeatures.COUNT);
            long h = labels.definition().horizonMs();
            long splitAt = until != null ? closeAt(until.toEpochDay()) : autoSplit(scratch, labels);
            r.split = LocalDate.ofEpochDay(Math.floorDiv(splitAt, DAY));
            if (progress != null) progress.accept("  labelling rows (" + r.definition + "), split at " + r.split);
            // The rows that would train or evaluate, counted first: more than the budget and the accounts are sampled.
            long[] usable = {0};
            forEachRow(scratch, row -> {
                r.featureRows++;
                long at = closeAt(row.day);
                if ((at + h <= splitAt || at >= splitAt) && labels.label(row.accountId, at) != ChurnLabels.Label.CENSORED) usable[0]++;
            });
            r.usableRows = usable[0];
            r.accountShare = AccountSample.share(usable[0], trainOptions.maxRows);
            if (progress != null && r.accountShare < 1) {
                progress.accept(String.format("  %,d rows exceed the budget of %,d (--max-rows): learning from %.1f%% of the accounts,"
                        + " every row of each", usable[0], trainOptions.maxRows, 100 * r.accountShare));
            }
            forEachRow(scratch, row -> {
                long at = closeAt(row.day);
                boolean isTrain = at + h <= splitAt, isEval = at >= splitAt;
                if (!isTrain && !isEval) return;
                ChurnLabels.Label label = labels.label(row.accountId, at);
                if (label == ChurnLabels.Label.CENSORED) {
                    r.censoredRows++;
                    return;
                }
                if (!AccountSample.keeps(row.accountId, r.accountShare)) return;
                int a = index.computeIfAbsent(row.accountId, k -> {
                    names.add(k);
                    return names.size() - 1;
                });
                (isTrain ? train : eval).add(a, row.day, (byte) (label == ChurnLabels.Label.CHURN ? 1 : 0), row.features);
            });
            r.trainRows = train.size();
            r.evaluationRows = eval.size();
            if (eval.size() == 0 && until != null) {
                // Without rows after --until the figures would read as a perfect model (a Brier score and log loss of 0).
                throw new IllegalArgumentException(String.format("--until %s leaves no day close after it to evaluate on: the history ends on %s."
                        + " Give a date before its end, so that the later days measure the model", until,
                        LocalDate.ofEpochDay(Math.floorDiv(labels.dataEnd(), DAY))));
            }
            if (progress != null) progress.accept(String.format("  training on %,d rows, evaluating on %,d", train.size(), eval.size()));
            r.model = ChurnTrainer.train(train, eval, labels.definition(), r.split.minusDays(1), trainOptions);
            r.model.training().accountShare = r.accountShare;
            r.model.write(modelOut);
            r.scoreMicros = scoreMicros(r.model, eval);
            compare(r, eval, names, labels, splitAt, alerts(scratch, index));
            return r;
        }
    }

    private static final long DAY = 86_400_000L;

    private static long closeAt(long day) {
        return (day + 1) * DAY;
    }

    private static void replay(List<BacktestInput> inputs, FormatOptions options, Rules rules, Duration horizon,
            Duration maxOutOfOrderness, int parallelism, Configuration flinkConfig, Path scratch, Consumer<String> progress)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfig);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        BacktestJob.noRestarts(env);
        env.setParallelism(parallelism);
        env.getConfig().enableObjectReuse(); // every sink encodes what it gets at once
        SingleOutputStreamOperator<AccountEvent> timed = BacktestReading.events(env, inputs, options,
                io.churnradar.guard.BacktestLimits.defaults(), rules, maxOutOfOrderness);
        timed.sinkTo(new BinaryFileSink<>(scratch, EVENTS, TrainRun::encodeEvent)).uid("training-events").name("Events for labels");
        Outputs<RejectedLine> outputs = Outputs.<RejectedLine>builder()
                .alerts(Outputs.Output.of(new BinaryFileSink<>(scratch, ALERTS, TrainRun::encodeAlert), "Alerts to compare"))
                .deadLetters(new DiscardingSink<>(), "Rejected lines")
                .featureRows(Outputs.Output.of(new BinaryFileSink<>(scratch, ROWS, TrainRun::encodeRow), "Feature rows"), horizon)
                .build();
        ChurnTopology.build(timed, timed.getSideOutput(BacktestReading.REJECTED), null, rules, null,
                io.churnradar.detect.EventOrdering.defaults().withSortedInput().withEveryActiveDayClosed(), outputs);
        if (progress != null) progress.accept("  replaying the history through detection ...");
        // Submitted, then waited for: the launcher's Flink runs jobs detached, where execute() would return at once. The
        // replay reads the whole history as a backtest does, and says how far it is as a backtest does.
        JobClient job = env.executeAsync("churn-radar-train");
        try (BacktestProgress ignored = BacktestProgress.ofJob(job, BacktestInput.files(inputs), scratch, progress)) {
            job.getJobExecutionResult().get();
        }
    }

    static void encodeEvent(AccountEvent e, java.io.DataOutputStream out) throws IOException {
        byte kind = switch (e.type) {
            case LOGIN -> LOGIN;
            case USAGE -> e.quantity > 0 ? USAGE : OTHER;
            case PAYMENT -> e.paymentStatus == PaymentStatus.REFUNDED ? REFUND : PAYMENT;
            case SUBSCRIPTION -> e.action == SubscriptionAction.CANCELED ? CANCELED : SUBSCRIPTION;
            default -> OTHER;
        };
        out.writeUTF(e.accountId);
        out.writeByte(kind);
        out.writeLong(e.eventTime);
    }

    static void encodeAlert(RiskAlert a, java.io.DataOutputStream out) throws IOException {
        if (a.getStatus() != AlertStatus.RAISED || !COMPARED_SIGNALS.contains(a.getSignal())) return;
        out.writeUTF(a.getAccountId());
        out.writeUTF(a.getSignal());
        out.writeLong(a.getDetectedAt().toEpochMilli());
    }

    static void encodeRow(FeatureRow r, java.io.DataOutputStream out) throws IOException {
        out.writeUTF(r.accountId);
        out.writeLong(r.day);
        for (float f : r.features) out.writeFloat(f);
    }

    /** The labels, from the events the replay accepted (in any order). */
    private static ChurnLabels labels(Path scratch, ChurnDefinition definition) throws IOException {
        ChurnLabels.Builder b = ChurnLabels.builder(definition);
        AccountEvent e = new AccountEvent(); // reused: the builder keeps nothing of it
        for (Path f : BinaryFileSink.files(scratch, EVENTS)) {
            try (DataInputStream in = open(f)) {
                while (true) {
                    String account;
                    try {
                        account = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    byte kind = in.readByte();
                    e.accountId = account;
                    e.eventTime = in.readLong();
                    e.quantity = 1;
                    e.paymentStatus = kind == REFUND ? PaymentStatus.REFUNDED : PaymentStatus.SUCCEEDED;
                    e.action = kind == CANCELED ? SubscriptionAction.CANCELED : SubscriptionAction.RENEWED;
                    e.type = switch (kind) {
                        case LOGIN -> EventType.LOGIN;
                        case USAGE -> EventType.USAGE;
                        case PAYMENT, REFUND -> EventType.PAYMENT;
                        case CANCELED, SUBSCRIPTION -> EventType.SUBSCRIPTION;
                        default -> EventType.FEEDBACK;
                    };
                    b.add(e);
                }
            }
        }
        return b.build();
    }

    /**
     * Without {@code --until}: the split leaves 70% of the labelled days to training (whose rows end a
     * horizon before the split) and the rest to evaluation.
     */
    private static long autoSplit(Path scratch, ChurnLabels labels) throws IOException {
        long[] first = {Long.MAX_VALUE};
        forEachRow(scratch, row -> first[0] = Math.min(first[0], row.day));
        long h = labels.definition().horizonMs();
        if (first[0] == Long.MAX_VALUE) {
            // Events but not one day close of a live account: a history of a day or so, not one without activity.
            throw new IllegalArgumentException(String.format("the history (to %s) made no day close to learn from: it needs more than twice"
                    + " the horizon of %s", LocalDate.ofEpochDay(Math.floorDiv(labels.dataEnd(), DAY)),
                    org.apache.flink.util.TimeUtils.formatWithHighestUnit(labels.definition().horizon())));
        }
        long from = closeAt(first[0]), end = labels.dataEnd() - h;
        if (end - from <= h + DAY) {
            throw new IllegalArgumentException(String.format("the history (%s .. %s) is too short to train and evaluate with a horizon of %s: it needs more than twice the horizon",
                    LocalDate.ofEpochDay(first[0]), LocalDate.ofEpochDay(Math.floorDiv(labels.dataEnd(), DAY)),
                    org.apache.flink.util.TimeUtils.formatWithHighestUnit(labels.definition().horizon())));
        }
        long split = from + h + (long) ((end - from - h) * 0.7);
        return closeAt(Math.floorDiv(split, DAY) - 1);
    }

    interface RowVisitor {
        void visit(FeatureRow row) throws IOException;
    }

    private static void forEachRow(Path scratch, RowVisitor v) throws IOException {
        FeatureRow row = new FeatureRow(null, 0, new float[ChurnFeatures.COUNT]);
        for (Path f : BinaryFileSink.files(scratch, ROWS)) {
            try (DataInputStream in = open(f)) {
                while (true) {
                    try {
                        row.accountId = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    row.day = in.readLong();
                    for (int i = 0; i < row.features.length; i++) row.features[i] = in.readFloat();
                    v.visit(row);
                }
            }
        }
    }

    /** Raised alerts of the compared signals: per signal, per account index, the detection instants. */
    private static Map<String, Map<Integer, List<Long>>> alerts(Path scratch, Map<String, Integer> index) throws IOException {
        Map<String, Map<Integer, List<Long>>> out = new LinkedHashMap<>();
        for (String s : COMPARED_SIGNALS) out.put(s, new HashMap<>());
        for (Path f : BinaryFileSink.files(scratch, ALERTS)) {
            try (DataInputStream in = open(f)) {
                while (true) {
                    String account;
                    try {
                        account = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    String signal = in.readUTF();
                    long at = in.readLong();
                    Integer a = index.get(account);
                    if (a != null) out.get(signal).computeIfAbsent(a, k -> new ArrayList<>()).add(at);
                }
            }
        }
        return out;
    }

    /**
     * Customers over the evaluation period (those with a labelled evaluation row): churned when one of
     * their rows is; flagged by the model at a threshold when one of their rows scores at or above it, by a
     * signal when it was raised for them within the period. Lead time: from the first flag to the churn
     * moment that follows it.
     */
    private static void compare(Result r, RowSet eval, List<String> names, ChurnLabels labels, long splitAt,
            Map<String, Map<Integer, List<Long>>> alerts) {
        double[] p = r.model.probabilities(eval.features(), eval.size());
        Map<Integer, Boolean> churned = new HashMap<>();
        long periodEnd = splitAt;
        for (int i = 0; i < eval.size(); i++) {
            churned.merge(eval.account(i), eval.label(i) == 1, Boolean::logicalOr);
            periodEnd = Math.max(periodEnd, closeAt(eval.day(i)));
        }
        r.customersEvaluated = churned.size();
        r.customersChurned = churned.values().stream().filter(b -> b).count();
        for (double t : ModelEvaluation.THRESHOLDS) {
            Map<Integer, Long> firstFlag = new HashMap<>();
            for (int i = 0; i < eval.size(); i++) {
                if (p[i] >= t) firstFlag.merge(eval.account(i), closeAt(eval.day(i)), Math::min);
            }
            r.customers.put(String.format("model p >= %.1f", t), flags(firstFlag, churned, names, labels, r.customersChurned));
        }
        for (var e : alerts.entrySet()) {
            Map<Integer, Long> firstFlag = new HashMap<>();
            for (var a : e.getValue().entrySet()) {
                if (!churned.containsKey(a.getKey())) continue;
                for (long at : a.getValue()) if (at >= splitAt && at <= periodEnd) firstFlag.merge(a.getKey(), at, Math::min);
            }
            r.customers.put(e.getKey(), flags(firstFlag, churned, names, labels, r.customersChurned));
        }
    }

    private static CustomerFlags flags(Map<Integer, Long> firstFlag, Map<Integer, Boolean> churned, List<String> names,
            ChurnLabels labels, long churners) {
        CustomerFlags f = new CustomerFlags();
        List<Double> leads = new ArrayList<>();
        for (var e : firstFlag.entrySet()) {
            f.flagged++;
            if (!churned.get(e.getKey())) continue;
            f.truePositives++;
            for (ChurnLabels.ChurnMoment m : labels.churnMoments(names.get(e.getKey()))) {
                if (m.at() >= e.getValue()) {
                    leads.add((m.at() - e.getValue()) / (double) DAY);
                    break;
                }
            }
        }
        f.precision = f.flagged == 0 ? Double.NaN : (double) f.truePositives / f.flagged;
        f.recall = churners == 0 ? Double.NaN : (double) f.truePositives / churners;
        if (!leads.isEmpty()) {
            double[] l = leads.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            f.medianLeadDays = l.length % 2 == 1 ? l[l.length / 2] : (l[l.length / 2 - 1] + l[l.length / 2]) / 2;
        }
        return f;
    }

    /** The cost of one score as the stream makes it: one account's row, its probability and its contributions. */
    private static double scoreMicros(ChurnModel model, RowSet rows) {
        int n = Math.min(rows.size(), 20_000);
        if (n == 0) return Double.NaN;
        float[] all = rows.features();
        int w = rows.width();
        for (int i = 0; i < Math.min(n, 500); i++) model.score(Arrays.copyOfRange(all, i * w, i * w + w)); // warm-up
        long t0 = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < n; i++) sink += model.score(Arrays.copyOfRange(all, i * w, i * w + w)).probability();
        long ns = System.nanoTime() - t0;
        if (sink < 0) throw new IllegalStateException();
        return ns / 1000.0 / n;
    }

    private static DataInputStream open(Path f) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
    }
}
