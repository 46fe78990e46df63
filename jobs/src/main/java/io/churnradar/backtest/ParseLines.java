package io.churnradar.backtest;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Parses lines into events; a line that is not a valid event goes to the dead letters, a blank one is counted. */
class ParseLines extends ProcessFunction<InputLine, AccountEvent> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<RejectedLine> REJECTED = new OutputTag<>("rejected-lines") {};
    static final String LINES_READ = "linesRead";
    static final String BLANK_LINES = "blankLines";
    static final String DEAD_LETTERED = "deadLettered";
    static final String FIRST_EVENT_TIME = "firstEventTime";
    static final String LAST_EVENT_TIME = "lastEventTime";

    private transient LongCounter linesRead;
    private transient LongCounter blankLines;
    private transient LongCounter deadLettered;
    private transient LongMinimum firstEventTime;
    private transient LongMaximum lastEventTime;

    @Override
    public void open(OpenContext ctx) {
        linesRead = add(LINES_READ, new LongCounter());
        blankLines = add(BLANK_LINES, new LongCounter());
        deadLettered = add(DEAD_LETTERED, new LongCounter());
        firstEventTime = add(FIRST_EVENT_TIME, new LongMinimum());
        lastEventTime = add(LAST_EVENT_TIME, new LongMaximum());
    }

    private <V, S extends java.io.Serializable, A extends org.apache.flink.api.common.accumulators.Accumulator<V, S>> A add(
            String name, A acc) {
        getRuntimeContext().addAccumulator(name, acc);
        return acc;
    }

    @Override
    public void processElement(InputLine in, Context ctx, Collector<AccountEvent> out) {
        linesRead.add(1);
        if (in.text.isBlank()) {
            blankLines.add(1);
            return;
        }
        try {
            AccountEvent e = JsonEventParser.parse(in.text);
            firstEventTime.add(e.eventTime);
            lastEventTime.add(e.eventTime);
            out.collect(e);
        } catch (InvalidEventException ex) {
            deadLettered.add(1);
            ctx.output(REJECTED, new RejectedLine(ex.getMessage(), in.file, in.line, in.text));
        }
    }
}
