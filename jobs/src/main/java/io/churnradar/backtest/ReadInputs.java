package io.churnradar.backtest;

import io.churnradar.guard.BoundedLines;
import io.churnradar.guard.EventTimeGuard;
import io.churnradar.guard.Oversize;
import io.churnradar.ingest.AccountEvent;
import java.nio.charset.StandardCharsets;
import io.churnradar.ingest.formats.FormatOptions;
import java.util.List;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Reads every input of the backtest, merged by event time ({@link MergedPayloads}), on the one element
 * that starts it: events out, rejected payloads to the dead letters, blank lines and payloads without a
 * churn signal counted.
 */
class ReadInputs extends ProcessFunction<Integer, AccountEvent> {
    private static final long serialVersionUID = 1L;
    static final OutputTag<RejectedLine> REJECTED = new OutputTag<>("rejected-lines") {};
    static final String LINES_READ = "linesRead";
    /** Characters of input read (with line ends), against the size of the files: the backtest's progress. */
    static final String CHARS_READ = "charsRead";
    static final String BLANK_LINES = "blankLines";
    static final String SKIPPED = "skipped";
    static final String DEAD_LETTERED = "deadLettered";
    static final String FIRST_EVENT_TIME = "firstEventTime";
    static final String LAST_EVENT_TIME = "lastEventTime";

    private final List<BacktestInput> inputs;
    private final FormatOptions options;

    private transient LongCounter linesRead;
    private transient LongCounter charsRead;
    private transient LongCounter blankLines;
    private transient LongCounter skipped;
    private transient LongCounter deadLettered;
    private transient LongMinimum firstEventTime;
    private transient LongMaximum lastEventTime;

    private final EventTimeGuard guard;
    private final int maxLineBytes;

    /**
     * @param guard rejects events that would move event time or slip past de-duplication (the inputs are
     *     merged by event time into one stream: one partition)
     * @param maxLineBytes a longer line is dead-lettered unread, its first bytes, size and hash kept
     */
    ReadInputs(List<BacktestInput> inputs, FormatOptions options, EventTimeGuard guard, int maxLineBytes) {
        this.inputs = List.copyOf(inputs);
        this.options = options;
        this.guard = guard;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void open(OpenContext ctx) {
        linesRead = add(LINES_READ, new LongCounter());
        charsRead = add(CHARS_READ, new LongCounter());
        blankLines = add(BLANK_LINES, new LongCounter());
        skipped = add(SKIPPED, new LongCounter());
        deadLettered = add(DEAD_LETTERED, new LongCounter());
        firstEventTime = add(FIRST_EVENT_TIME, new LongMinimum());
        lastEventTime = add(LAST_EVENT_TIME, new LongMaximum());
    }

    private <V, S extends java.io.Serializable, A extends Accumulator<V, S>> A add(String name, A acc) {
        getRuntimeContext().addAccumulator(name, acc);
        return acc;
    }

    /**
     * A dead letter keeps at most {@link Oversize#KEPT_BYTES} of its payload, with the full size and hash
     * beyond that: the collected results of the job take records of a few MB at most.
     */
    static RejectedLine rejected(String reason, PayloadFile.Payload p) {
        Oversize o = p.oversize();
        if (o == null && p.text().length() > Oversize.KEPT_BYTES / 3) {
            o = Oversize.of(p.text().getBytes(StandardCharsets.UTF_8), Oversize.KEPT_BYTES);
        }
        if (o == null) return new RejectedLine(reason, p.file(), p.line(), p.text());
        RejectedLine r = new RejectedLine(reason, p.file(), p.line(), BoundedLines.text(o));
        r.sha256 = o.sha256;
        r.originalBytes = o.size;
        return r;
    }

    @Override
    public void processElement(Integer start, Context ctx, Collector<AccountEvent> out) throws Exception {
        try (MergedPayloads merged = new MergedPayloads(inputs, options, maxLineBytes)) {
            for (MergedPayloads.Outcome o = merged.next(); o != null; o = merged.next()) {
                linesRead.add(1);
                if (o.payload != null) {
                    charsRead.add(o.payload.oversize() != null ? o.payload.oversize().size + 1
                            : o.payload.text() == null ? 1 : o.payload.text().length() + 1);
                }
                if (o.blank) {
                    blankLines.add(1);
                } else if (o.skipped != null) {
                    skipped.add(1);
                } else if (o.rejected != null) {
                    deadLettered.add(1);
                    ctx.output(REJECTED, rejected(o.rejected, o.payload));
                } else {
                    for (AccountEvent e : o.events) {
                        String tooFar = guard.check(e, "");
                        if (tooFar != null) {
                            deadLettered.add(1);
                            ctx.output(REJECTED, rejected(tooFar, o.payload));
                            continue;
                        }
                        firstEventTime.add(e.eventTime);
                        lastEventTime.add(e.eventTime);
                        out.collect(e);
                    }
                }
            }
        }
    }
}
