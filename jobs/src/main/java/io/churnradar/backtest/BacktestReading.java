package io.churnradar.backtest;

import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.formats.FormatOptions;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The backtest's reading and mapping of its inputs, as a stream of events, for pipelines that must read
 * exactly as the backtest does: the benchmark's ceiling and its Flink SQL baseline (./churn-radar bench)
 * compare against {@link BacktestJob} on equal terms only if their parsing is the same code. Rejected
 * payloads go to the side output {@link #rejected()}, which these pipelines may leave unread.
 */
public final class BacktestReading {
    private BacktestReading() {}

    /** One reader (parallelism 1) of every input, merged by event time, with the default limits on hostile input. */
    public static SingleOutputStreamOperator<AccountEvent> events(StreamExecutionEnvironment env, List<BacktestInput> inputs,
            FormatOptions options) {
        return events(env, inputs, options, BacktestLimits.defaults(), Rules.defaults());
    }

    /** One reader (parallelism 1) of every input, merged by event time, as {@link BacktestJob} reads them. */
    public static SingleOutputStreamOperator<AccountEvent> events(StreamExecutionEnvironment env, List<BacktestInput> inputs,
            FormatOptions options, BacktestLimits limits, Rules rules) {
        return env.fromData(Types.INT, 0)
                .uid("input-files").name("Input files").setParallelism(1)
                .process(new ReadInputs(inputs, options, limits.guard(Duration.ofDays(rules.dedupWindowDays)), limits.maxLineBytes))
                .uid("parse-events").name("Read and map payloads").setParallelism(1);
    }

    /** The accumulator of lines read, in the job's result. */
    public static String linesReadAccumulator() {
        return ReadInputs.LINES_READ;
    }
}
