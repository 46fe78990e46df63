package io.churnradar.backtest;

import io.churnradar.guard.EventTimeGuard;
import io.churnradar.guard.Oversize;
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

    private final EventTimeGuard guard;
    private final int maxLineBytes;

    private transient LongCounter linesRead;
    private transient LongCounter blankLines;
    private transient LongCounter deadLettered;
    private transient LongMinimum firstEventTime;
    private transient LongMaximum lastEventTime;

    /** @param guard rejects events that would move event time or slip past de-duplication (one reader: one partition) */
    ParseLines(EventTimeGuard guard, int maxLineBytes) {
        this.guard = guard;
        this.maxLineBytes = maxLineBytes;
    }

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

    /**
     * A dead letter keeps at most {@link Oversize#KEPT_BYTES} of its line, with the full size and hash
     * beyond that: the collected results of the job take records of a few MB at most.
     */
    private static RejectedLine rejected(String reason, InputLine in) {
        if (in.text.length() <= Oversize.KEPT_BYTES / 3) return new RejectedLine(reason, in.file, in.line, in.text);
        byte[] bytes = in.text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Oversize o = Oversize.of(bytes, Oversize.KEPT_BYTES);
        if (o == null) return new RejectedLine(reason, in.file, in.line, in.text);
        RejectedLine r = new RejectedLine(reason, in.file, in.line, io.churnradar.guard.BoundedLines.text(o));
        r.sha256 = o.sha256;
        r.originalBytes = o.size;
        return r;
    }

    @Override
    public void processElement(InputLine in, Context ctx, Collector<AccountEvent> out) {
        linesRead.add(1);
        if (in.sha256 != null) {
            deadLettered.add(1);
            RejectedLine r = new RejectedLine(Oversize.reason(in.bytes, in.keptBytes, in.sha256, maxLineBytes, "--max-line-bytes"),
                    in.file, in.line, in.text);
            r.sha256 = in.sha256;
            r.originalBytes = in.bytes;
            ctx.output(REJECTED, r);
            return;
        }
        if (in.text.isBlank()) {
            blankLines.add(1);
            return;
        }
        try {
            AccountEvent e = JsonEventParser.parse(in.text);
            String tooFar = guard.check(e, "");
            if (tooFar != null) throw new InvalidEventException(tooFar);
            firstEventTime.add(e.eventTime);
            lastEventTime.add(e.eventTime);
            out.collect(e);
        } catch (InvalidEventException ex) {
            deadLettered.add(1);
            ctx.output(REJECTED, rejected(ex.getMessage(), in));
        }
    }
}
