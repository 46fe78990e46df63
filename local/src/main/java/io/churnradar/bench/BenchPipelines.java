package io.churnradar.bench;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.BacktestProgress;
import io.churnradar.backtest.BacktestSummary;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.backtest.input.BacktestReading;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * The pipelines the benchmark compares, each built on an environment of the benchmark's local Flink
 * and run to the end of the input file. They share the reading of the file where the comparison
 * needs it: the ceiling and the Flink SQL baseline read and parse exactly as the backtest does
 * ({@link BacktestReading}), so their differences are the work after parsing.
 */
final class BenchPipelines {
    /** The backtest's default: how late an event may be and still count in order. */
    static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofMinutes(10);
    /** The streaming job's defaults: its out-of-orderness bound and event ordering, which the streaming pipeline measures. */
    private static final io.churnradar.config.JobSettings JOB = io.churnradar.config.JobSettings.defaults();

    /**
     * USAGE_DROP as a data engineer would write it in Flink SQL: usage per account in 7-day windows
     * sliding by a day, each window joined with the one that ended 7 days earlier, a drop of 30% or more
     * from a baseline of at least 10. A regular join, as written plainly: its state is never cleared.
     */
    static final String USAGE_WINDOWS_SQL = """
            CREATE TEMPORARY VIEW usage_windows AS
            SELECT accountId, window_start, window_end, SUM(quantity) AS total
            FROM TABLE(HOP(TABLE usage_events, DESCRIPTOR(rowtime), INTERVAL '1' DAY, INTERVAL '7' DAY))
            GROUP BY accountId, window_start, window_end""";

    static final String USAGE_DROP_SQL = """
            SELECT c.accountId, c.window_end, c.total AS cur_total, p.total AS prev_total
            FROM usage_windows AS c
            JOIN usage_windows AS p
              ON c.accountId = p.accountId AND p.window_end = c.window_end - INTERVAL '7' DAY
            WHERE c.total <= 0.7 * p.total AND p.total >= 10""";

    private BenchPipelines() {}

    /** Flink settings of a run on the given state backend ("heap" or "rocksdb"), over the cluster's own. */
    static Configuration backend(String backend) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", backend.equals("heap") ? "hashmap" : "rocksdb");
        return c;
    }

    private static StreamExecutionEnvironment environment(Configuration c, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(parallelism);
        env.getConfig().enableObjectReuse();
        return env;
    }

    /** The backtest's reading and parsing with the input's watermarks (unsorted), as every pipeline that reads like the backtest needs it. */
    private static DataStream<AccountEvent> timedEvents(StreamExecutionEnvironment env, Path file) {
        return BacktestReading.asRead(env, List.of(new BacktestInput(InputFormat.CHURN_RADAR, file)), FormatOptions.defaults(),
                MAX_OUT_OF_ORDERNESS);
    }

    /** What a run did: the lines its reader read (the benchmark checks that each read the whole file), and the job. */
    record Done(long linesRead, JobID job) {}

    /**
     * Submits the job and waits for its end. Not {@code execute()}: the local Flink submits detached, and
     * execute() would return at submission, before any work is done.
     */
    private static Done runToEnd(StreamExecutionEnvironment env, String name, Progress progress) throws Exception {
        JobClient job = env.executeAsync(name);
        try (BacktestProgress ignored = RunProgress.of(job, progress.totalLines(), progress.out())) {
            return new Done(linesRead(job.getJobExecutionResult().get()), job.getJobID());
        }
    }

    /**
     * Where a run's progress lines go ({@link RunProgress}): the input's lines, to say how far it is, and the stream
     * (null: none).
     */
    record Progress(long totalLines, Consumer<String> out) {
        /** The backtest's own progress lines, once the run has lasted {@link RunProgress#EVERY_SECONDS}, as the others'. */
        Consumer<String> afterFirstPeriod() {
            if (out == null) return null;
            long start = System.nanoTime();
            return line -> {
                if (System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(RunProgress.EVERY_SECONDS)) out.accept(line);
            };
        }
    }

    private static long linesRead(JobExecutionResult result) {
        Object v = result.getAccumulatorResult(BacktestReading.linesReadAccumulator());
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** Reading and parsing as the backtest, keyBy account, a stateless function, a sink that drops everything. */
    static Done ceiling(Path file, int parallelism, Configuration c, Progress progress) throws Exception {
        StreamExecutionEnvironment env = environment(c, parallelism);
        timedEvents(env, file)
                .keyBy(e -> e.accountId, Types.STRING)
                .map(new Touch()).uid("touch").name("Stateless touch")
                .sinkTo(new DiscardingSink<>()).name("Discard");
        return runToEnd(env, "churn-radar-bench-ceiling", progress);
    }

    /** {@link #USAGE_DROP_SQL} over the usage events of the file, read as the backtest reads them. */
    static Done flinkSql(Path file, int parallelism, Configuration c, Progress progress) throws Exception {
        StreamExecutionEnvironment env = environment(c, parallelism);
        DataStream<Row> usage = timedEvents(env, file)
                .flatMap(new UsageRows())
                .returns(Types.ROW_NAMED(new String[] {"accountId", "quantity"}, Types.STRING, Types.DOUBLE))
                .name("Usage rows").setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        // Days start at midnight UTC, as the detector's day buckets do.
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        tEnv.createTemporaryView("usage_events", usage, Schema.newBuilder()
                .column("accountId", DataTypes.STRING())
                .column("quantity", DataTypes.DOUBLE())
                .columnByMetadata("rowtime", DataTypes.TIMESTAMP_LTZ(3))
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
        tEnv.executeSql(USAGE_WINDOWS_SQL);
        Table drops = tEnv.sqlQuery(USAGE_DROP_SQL);
        tEnv.toDataStream(drops).sinkTo(new DiscardingSink<>()).name("Discard");
        return runToEnd(env, "churn-radar-bench-flink-sql", progress);
    }

    /** {@code ./churn-radar backtest}'s path: all signals, health and playbooks, results written to outDir. */
    static Done backtest(Path file, Path outDir, Rules rules, int parallelism, Configuration c, Progress progress) throws Exception {
        BacktestSummary s = BacktestJob.run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, file)), FormatOptions.defaults(), outDir,
                rules, MAX_OUT_OF_ORDERNESS, parallelism, c, BacktestLimits.defaults(), progress.afterFirstPeriod());
        return new Done(s.linesRead, null);
    }

    /**
     * The streaming job's detection operator fed at full speed from a bounded file source, each line
     * parsed as the job parses our JSON events, checkpointing as configured; alerts, health updates and
     * decisions are produced and dropped. Its job id gives the checkpoint statistics.
     * It keeps up to {@code accountCache} accounts per subtask as objects ({@code state.accountCache}), and orders
     * events as the job does by default: its out-of-orderness bound ({@code eventTime.maxOutOfOrderness}, 5 s, where the
     * backtest and flink-sql allow 10 minutes; the generated histories are in event-time order, so no event is late
     * with either) and its day-close spread ({@code eventTime.dayCloseSpread}), which fires the accounts' closes in
     * slices, each in the order of the keys, where closes at midnight would be one.
     */
    static Done streaming(Path file, Rules rules, int parallelism, Configuration c, int accountCache, Progress progress) throws Exception {
        StreamExecutionEnvironment env = environment(c, parallelism);
        FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(),
                new org.apache.flink.core.fs.Path(file.toUri())).build();
        DataStream<AccountEvent> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Events file")
                .uid("events-file").setParallelism(1)
                .flatMap(new ParseLine()).returns(TypeInformation.of(AccountEvent.class))
                .uid("parse").name("Parse events").setParallelism(1)
                .assignTimestampsAndWatermarks(EventTimeWatermarks.forEvents(JOB.maxOutOfOrderness))
                .uid("event-time").name("Event time").setParallelism(1);
        SingleOutputStreamOperator<RiskAlert> alerts = ChurnPipeline.detect(events, rules, Duration.ofDays(90),
                JOB.eventOrdering.withAccountCache(accountCache));
        alerts.sinkTo(new DiscardingSink<>()).name("Discard alerts");
        alerts.getSideOutput(ChurnDetector.HEALTH).sinkTo(new DiscardingSink<>()).name("Discard health");
        alerts.getSideOutput(ChurnDetector.COMMANDS).sinkTo(new DiscardingSink<>()).name("Discard decisions");
        alerts.getSideOutput(ChurnDetector.OUTCOMES).sinkTo(new DiscardingSink<>()).name("Discard outcomes");
        return runToEnd(env, "churn-radar-bench-streaming", progress);
    }

    /** Stateless work per event that the JIT cannot drop: reads the fields every pipeline reads. */
    private static final class Touch implements MapFunction<AccountEvent, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long map(AccountEvent e) {
            return e.eventTime + e.accountId.length() + (long) e.quantity;
        }
    }

    private static final class UsageRows implements FlatMapFunction<AccountEvent, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(AccountEvent e, Collector<Row> out) {
            if (e.type == EventType.USAGE) out.collect(Row.of(e.accountId, e.quantity));
        }
    }

    /** A line that is not a valid event is dropped: the generated input has none, and a dead letter is not measured here. */
    private static final class ParseLine extends RichFlatMapFunction<String, AccountEvent> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter lines;

        @Override
        public void open(OpenContext ctx) {
            lines = new LongCounter();
            getRuntimeContext().addAccumulator(BacktestReading.linesReadAccumulator(), lines);
        }

        @Override
        public void flatMap(String line, Collector<AccountEvent> out) {
            lines.add(1);
            if (line.isBlank()) return;
            try {
                out.collect(JsonEventParser.parse(line));
            } catch (InvalidEventException e) {
                // dropped, see above
            }
        }
    }
}
