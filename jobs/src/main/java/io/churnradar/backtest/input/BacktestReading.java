package io.churnradar.backtest.input;

import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.ingest.formats.FormatOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The backtest's reading of its inputs, in event time: each input through a {@code FileSource} of its own
 * ({@link PayloadFormat}: file and line of every payload), its files in name order, its watermarks made
 * per event from its events alone ({@link EventTimeWatermarks}), as a Kafka partition's are; the inputs
 * then meet in {@link EventTimeMerge}, which passes the events on sorted within the bound, with the
 * slowest input's watermarks, and the dead letters to {@link #REJECTED}. Several inputs (Stripe, Segment and
 * Zendesk histories of the same months) are kept within a day of event time of each other by Flink's
 * watermark alignment, so the merge holds at most about a day of events, not a fast input's whole history.
 *
 * <p>The benchmark's ceiling and its Flink SQL baseline (./churn-radar bench) read through the same sources
 * ({@link #asRead}): they compare against {@link io.churnradar.backtest.BacktestJob} on equal terms only if their reading is the same code.
 */
public final class BacktestReading {
    /** What the inputs rejected: dead letters with file, line and reason. */
    public static final OutputTag<RejectedLine> REJECTED = EventTimeMerge.REJECTED;
    /** How far in event time one input may read ahead of the slowest. */
    static final Duration INPUT_DRIFT = Duration.ofDays(1);
    /**
     * How often the inputs learn how far the slowest is. Each announcement lets an input move at most the drift
     * ahead, so sources that read faster than that wait for the next: every 100 ms, a day of event time holds up
     * a 60-day history by 6 s at most (every second, as Flink's default, it took a minute).
     */
    static final Duration ALIGNMENT_INTERVAL = Duration.ofMillis(100);

    private BacktestReading() {}

    /** Every input, in event time within {@code maxOutOfOrderness}, as {@link io.churnradar.backtest.BacktestJob} reads them. */
    public static SingleOutputStreamOperator<AccountEvent> events(StreamExecutionEnvironment env, List<BacktestInput> inputs,
            FormatOptions options, BacktestLimits limits, Rules rules, Duration maxOutOfOrderness) {
        return records(env, inputs, options, limits, rules, maxOutOfOrderness)
                .transform("Events in event time", TypeInformation.of(AccountEvent.class), new EventTimeMerge(maxOutOfOrderness))
                .uid("event-time")
                .setParallelism(1);
    }

    /**
     * Every input's events as its source reads them, with its watermarks, unsorted, dead letters dropped, the lines
     * counted: the work of reading and parsing alone, for the benchmark's ceiling and its Flink SQL baseline.
     */
    public static SingleOutputStreamOperator<AccountEvent> asRead(StreamExecutionEnvironment env, List<BacktestInput> inputs,
            FormatOptions options, Duration maxOutOfOrderness) {
        return records(env, inputs, options, BacktestLimits.defaults(), Rules.defaults(), maxOutOfOrderness)
                .flatMap(new EventsCounted())
                .returns(AccountEvent.class)
                .uid("events-as-read")
                .name("Events as read")
                .setParallelism(1);
    }

    private static DataStream<InputRecord> records(StreamExecutionEnvironment env, List<BacktestInput> inputs,
            FormatOptions options, BacktestLimits limits, Rules rules, Duration maxOutOfOrderness) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("a backtest needs at least one input");
        DataStream<InputRecord> all = null;
        for (int i = 0; i < inputs.size(); i++) {
            DataStream<InputRecord> one = read(env, i, inputs, options, limits, rules, maxOutOfOrderness);
            all = all == null ? one : all.union(one);
        }
        return all;
    }

    /** The events of the records, and the lines read counted as the backtest counts them. */
    private static final class EventsCounted extends RichFlatMapFunction<InputRecord, AccountEvent> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter lines;

        @Override
        public void open(OpenContext ctx) {
            lines = new LongCounter();
            getRuntimeContext().addAccumulator(EventTimeMerge.LINES_READ, lines);
        }

        @Override
        public void flatMap(InputRecord r, Collector<AccountEvent> out) {
            lines.add(r.lines);
            if (r.event != null) out.collect(r.event);
        }
    }

    private static DataStream<InputRecord> read(StreamExecutionEnvironment env, int i, List<BacktestInput> inputs,
            FormatOptions options, BacktestLimits limits, Rules rules, Duration maxOutOfOrderness) {
        BacktestInput in = inputs.get(i);
        List<Path> files;
        try {
            files = in.files();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files of " + in, e);
        }
        PayloadFormat format = new PayloadFormat(i, in.format, options, limits.guard(Duration.ofDays(rules.dedupWindowDays)),
                limits.maxLineBytes);
        FileSource<InputRecord> source = FileSource
                .forBulkFileFormat(format, files.stream().map(f -> new org.apache.flink.core.fs.Path(f.toUri())).toArray(org.apache.flink.core.fs.Path[]::new))
                // Every file named is read: Flink's default skips names that start with '.' or '_'.
                .setFileEnumerator(() -> new NonSplittingRecursiveEnumerator(p -> true))
                .setSplitAssigner(FilesInOrder.provider(files.stream().map(f -> f.toUri().toString()).toList()))
                .build();
        WatermarkStrategy<InputRecord> watermarks = WatermarkStrategy
                .<InputRecord>forGenerator(ctx -> EventTimeWatermarks.generatorOfEvents(maxOutOfOrderness,
                        r -> r.event != null || r.countsAt != Long.MIN_VALUE))
                .withTimestampAssigner((r, previous) -> r.event != null ? r.event.eventTime : r.countsAt);
        if (inputs.size() > 1) watermarks = watermarks.withWatermarkAlignment("backtest-inputs", INPUT_DRIFT, ALIGNMENT_INTERVAL);
        String name = inputs.size() == 1 ? "Input files" : "Input " + (i + 1) + " files";
        String suffix = inputs.size() == 1 ? "" : "-" + (i + 1);
        return env.fromSource(new FilesInTurn<>(source), watermarks, name)
                .uid("input-files" + suffix)
                .setParallelism(1)
                .process(new MarkLate())
                .uid("late-events" + suffix)
                .name(inputs.size() == 1 ? "Late events" : "Late events of input " + (i + 1))
                .setParallelism(1);
    }

    /** The accumulator of lines read, in the job's result. */
    public static String linesReadAccumulator() {
        return EventTimeMerge.LINES_READ;
    }
}
