package io.churnradar.detect;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import java.time.Duration;
import java.util.PriorityQueue;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Event time for an input that one reader reads whole (the backtest): the watermarks of
 * {@link EventTimeWatermarks} (the same bounded out-of-orderness, per event), and every event that is on time
 * passed on only once the watermark passes it, in the order the detector applies events ({@link EventBuffer#compare}).
 * The detector then applies each on arrival ({@link EventOrdering#inputSorted}), as its timer would have applied it
 * from the account's buffer: the same outputs, without a buffer write, a timer and a timer firing for every event.
 *
 * <p>A late event (at or behind the watermark) goes on at once, ahead of the held ones and under the same
 * watermark, as it reaches the detector in the streaming job. At the end of the input the held events go on
 * in order under the last watermark, as the streaming job's buffers release them at the end, and then the
 * end of event time. The events held are those within the bound behind the newest: what the accounts'
 * buffers would hold in the state otherwise. Flink has no operator that sorts a stream by event time
 * within a bound and keeps its watermarks (SQL's sort needs a table), hence this one.
 *
 * <p>Run it at parallelism 1, directly behind the reader: the watermarks it makes are the input's.
 */
public final class EventTimeSort extends AbstractStreamOperator<AccountEvent>
        implements OneInputStreamOperator<AccountEvent, AccountEvent>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final Duration maxOutOfOrderness;

    private transient WatermarkGenerator<AccountEvent> watermarks;
    private transient PriorityQueue<Held> held;
    private transient long watermark;
    private transient long nextWatermark;
    private transient long arrivals;
    private transient StreamRecord<AccountEvent> out;
    private transient boolean ended;
    private transient WatermarkOutput advances;

    /** An event held, with its place in the input: two copies of one event keep the order they were read in. */
    private record Held(AccountEvent event, long arrival) {}

    public EventTimeSort(Duration maxOutOfOrderness) {
        this.maxOutOfOrderness = maxOutOfOrderness;
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermarks = EventTimeWatermarks.generator(maxOutOfOrderness);
        held = new PriorityQueue<>((a, b) -> {
            int c = EventBuffer.compare(a.event, b.event);
            return c != 0 ? c : Long.compare(a.arrival, b.arrival);
        });
        watermark = Long.MIN_VALUE;
        nextWatermark = Long.MIN_VALUE;
        out = new StreamRecord<>(null);
        advances = new Advances();
    }

    @Override
    public void processElement(StreamRecord<AccountEvent> element) {
        // The reader makes a new event for every line, so holding it is safe with object reuse.
        AccountEvent e = element.getValue();
        if (e.eventTime <= watermark) {
            emit(e); // late: the detector applies it at once, dated at this watermark
        } else {
            held.add(new Held(e, arrivals++));
        }
        watermarks.onEvent(e, e.eventTime, advances);
        if (nextWatermark > watermark) {
            watermark = nextWatermark;
            while (!held.isEmpty() && held.peek().event.eventTime <= watermark) emit(held.poll().event);
            output.emitWatermark(new Watermark(watermark));
        }
    }

    /** Where the generator's watermarks go: the next one, applied after the event that made it. */
    private final class Advances implements WatermarkOutput {
        @Override
        public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark w) {
            nextWatermark = Math.max(nextWatermark, w.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    private void emit(AccountEvent e) {
        output.collect(out.replace(e, e.eventTime));
    }

    /** The reader's end of input: the held events in order, then the end of event time. */
    @Override
    public void endInput() {
        if (ended) return;
        ended = true;
        while (!held.isEmpty()) emit(held.poll().event);
        output.emitWatermark(Watermark.MAX_WATERMARK);
    }

    /** Event time is this operator's own: the reader's watermarks (only its end, at the end of input) are not passed on. */
    @Override
    public void processWatermark(Watermark mark) {
        if (mark.getTimestamp() == Long.MAX_VALUE) endInput();
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // The reader is never idle while it reads; its status says nothing about event time here.
    }
}
