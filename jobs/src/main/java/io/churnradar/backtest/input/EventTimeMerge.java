package io.churnradar.backtest.input;

import io.churnradar.detect.EventBuffer;
import io.churnradar.detect.EventOrdering;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.ingest.NewestEventTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * Where the backtest's inputs meet: their events in event time, their dead letters to a side output, and
 * their reading counted (lines, characters against the size of the files for the progress, blank lines,
 * payloads without a churn signal, dead letters, the first and last event time).
 *
 * <p>Event time here is the slowest input's (Flink's watermark of a union). An event on time in its input is
 * held until that watermark passes it, then passed on in the order the detector applies events
 * ({@link EventBuffer#compare}; then by input, then as read), so the detector applies each on arrival
 * ({@link EventOrdering#inputSorted}), as its timer would have applied it from the account's buffer. An event
 * late in its own input ({@link MarkLate}) goes on as late under the watermark it was late against: at once
 * if event time is there already, else as soon as it gets there, with a watermark of exactly that value
 * before it. So each input's events are on time or late as in that input alone, and the detector sees the
 * same sequence whatever the speed at which each input is read. At the end of every input, event time first
 * goes to the watermark of the newest event of all inputs (the detector detects nothing later than that, and
 * how far the slowest input had come when the others ended is a matter of speed; an input's newest as its
 * watermarks count it, {@link NewestEventTime#newestKept}, so that a forgotten leap does not end event time
 * weeks later), then the held events go on
 * in order, then the end of event time.
 *
 * <p>Run it at parallelism 1. Flink has no operator that sorts a stream by event time within a bound and
 * keeps its watermarks (SQL's sort needs a table), hence this one.
 */
public final class EventTimeMerge extends AbstractStreamOperator<AccountEvent>
        implements OneInputStreamOperator<InputRecord, AccountEvent>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<RejectedLine> REJECTED = new OutputTag<>("rejected-lines") {};
    public static final String LINES_READ = "linesRead";
    /** Bytes of the input files read (compressed ones of gzipped files), against their size: the backtest's progress. */
    public static final String BYTES_READ = "bytesRead";
    public static final String BLANK_LINES = "blankLines";
    public static final String SKIPPED = "skipped";
    public static final String DEAD_LETTERED = "deadLettered";
    public static final String FIRST_EVENT_TIME = "firstEventTime";
    public static final String LAST_EVENT_TIME = "lastEventTime";

    private static final Comparator<InputRecord> READ_ORDER = (a, b) -> {
        int c = EventBuffer.compare(a.event, b.event);
        return c != 0 ? c : Integer.compare(a.input, b.input);
    };

    /**
     * Event time is passed on at most once a minute of it, not at every event: on a history of 10,000 accounts (about one
     * event every 5 s of event time) that is 11% less CPU for the whole backtest, with every result file byte for byte
     * the same. Nothing needs it finer: the detector runs an account's closes and deadlines due before each of its
     * events itself (as it does for a timer pushed later by the day-close spread), and dates every close and deadline
     * at its own time, so the watermark only decides when the timers of accounts without a later event fire, and no
     * output depends on that. Where the watermark says something to the detector it is passed on exactly: before a
     * late event (it is dated at the watermark) and at the end of the input.
     */
    static final long GRAIN_MS = 60_000;

    private final Duration maxOutOfOrderness;

    private transient PriorityQueue<Held> onTime;
    private transient PriorityQueue<Held> late;
    private transient long watermark;
    /** The watermark passed on last: {@link #watermark} at most once per {@link #GRAIN_MS} of event time, or where it must be exact. */
    private transient long emitted;
    private transient long arrivals;
    private transient StreamRecord<AccountEvent> out;
    private transient StreamRecord<RejectedLine> deadLetter;
    private transient boolean ended;
    /**
     * Each input's newest event time as its watermarks count it ({@link NewestEventTime}, its forgotten leaps left
     * out): the watermark that trails the newest of them is where event time ends.
     */
    private transient NewestEventTime[] newestOfInput;

    private transient LongCounter linesRead;
    private transient LongCounter bytesRead;
    private transient LongCounter blankLines;
    private transient LongCounter skipped;
    private transient LongCounter deadLettered;
    private transient LongMinimum firstEventTime;
    private transient LongMaximum lastEventTime;

    /** A record held, with its place in the reading: two copies of one event from one input keep the order they were read in. */
    private record Held(InputRecord record, long arrival) {}

    public EventTimeMerge(Duration maxOutOfOrderness) {
        this.maxOutOfOrderness = maxOutOfOrderness;
    }

    @Override
    public void open() throws Exception {
        super.open();
        newestOfInput = new NewestEventTime[0];
        onTime = new PriorityQueue<>((a, b) -> {
            int c = READ_ORDER.compare(a.record, b.record);
            return c != 0 ? c : Long.compare(a.arrival, b.arrival);
        });
        // Late events in the order their inputs read them, as they reach the detector from one reader.
        late = new PriorityQueue<>(Comparator.<Held>comparingLong(h -> h.record.lateAgainst)
                .thenComparingInt(h -> h.record.input)
                .thenComparingLong(Held::arrival));
        watermark = Long.MIN_VALUE;
        emitted = Long.MIN_VALUE;
        out = new StreamRecord<>(null);
        deadLetter = new StreamRecord<>(null);
        linesRead = add(LINES_READ, new LongCounter());
        bytesRead = add(BYTES_READ, new LongCounter());
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

    @Override
    public void processElement(StreamRecord<InputRecord> element) {
        // Every record is a new object from the reader: holding it is safe with object reuse.
        InputRecord r = element.getValue();
        linesRead.add(r.lines);
        bytesRead.add(r.fileBytes);
        blankLines.add(r.blankLines);
        skipped.add(r.skipped);
        if (r.rejected != null) {
            deadLettered.add(1);
            output.collect(REJECTED, deadLetter.replace(r.rejected));
        }
        AccountEvent e = r.event;
        // What moves the input's watermark moves its end too (BacktestReading's generator takes the same).
        if (e != null || r.countsAt != Long.MIN_VALUE) newestOf(r.input).offer(e != null ? e.eventTime : r.countsAt, null);
        if (e == null) return;
        firstEventTime.add(e.eventTime);
        lastEventTime.add(e.eventTime);
        if (!r.isLate()) {
            onTime.add(new Held(r, arrivals++));
        } else if (r.lateAgainst <= watermark) {
            moveTo(watermark, true);
            emit(e); // event time is there: the detector applies it at once, as late
        } else {
            late.add(new Held(r, arrivals++));
        }
    }

    private NewestEventTime newestOf(int input) {
        if (input >= newestOfInput.length) {
            int from = newestOfInput.length;
            newestOfInput = java.util.Arrays.copyOf(newestOfInput, input + 1);
            for (int i = from; i <= input; i++) newestOfInput[i] = new NewestEventTime();
        }
        return newestOfInput[input];
    }

    /** The slowest input's watermark: what is on time up to it, each late event at the watermark it was late against. */
    @Override
    public void processWatermark(Watermark mark) {
        advance(mark.getTimestamp());
    }

    private void advance(long to) {
        advance(to, to == Long.MAX_VALUE);
    }

    private void advance(long to, boolean exact) {
        long newestTime = Long.MIN_VALUE;
        if (to == Long.MAX_VALUE) for (NewestEventTime n : newestOfInput) newestTime = Math.max(newestTime, n.newestKept());
        if (to == Long.MAX_VALUE && newestTime != Long.MIN_VALUE) {
            long end = EventTimeWatermarks.trailing(newestTime, maxOutOfOrderness);
            if (end > watermark) advance(end, true);
            else moveTo(watermark, true);
        }
        while (!late.isEmpty() && late.peek().record.lateAgainst <= to) {
            long at = late.peek().record.lateAgainst;
            moveTo(at, true);
            while (!late.isEmpty() && late.peek().record.lateAgainst == at) emit(late.poll().record.event);
        }
        moveTo(to, exact);
    }

    private void moveTo(long to, boolean exact) {
        while (!onTime.isEmpty() && onTime.peek().record.event.eventTime <= to) emit(onTime.poll().record.event);
        if (to > watermark) watermark = to;
        if (emitted < watermark && (exact || Math.floorDiv(watermark, GRAIN_MS) > Math.floorDiv(emitted, GRAIN_MS))) {
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }

    private void emit(AccountEvent e) {
        output.collect(out.replace(e, e.eventTime));
    }

    /** The end of every input: the held events in order, then the end of event time. */
    @Override
    public void endInput() {
        if (ended) return;
        ended = true;
        advance(Long.MAX_VALUE);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // The inputs are files, never idle while they are read; their status says nothing about event time here.
    }
}
