package io.churnradar.outcome;

import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.play.OutcomeEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * churn.playbook-outcomes: per playbook and UTC day (of the events' {@code at}), the entries and the
 * outcomes settled that day, in one {@link PlaybookOutcome} each, once the watermark has passed the
 * day. A day without any event of a playbook has no record.
 *
 * <p>Records are additive. An event that arrives after its day was emitted (the detector accepts
 * events behind the watermark, and a churn among them settles an entry as LOST at the churn's time) is
 * not dropped: it is emitted on its own as a further record for its playbook and day. The counts of a
 * playbook and day are the sum of its records, which is one record but for such late events.
 */
public final class DailyPlaybookOutcomes {
    public static final String EVENT_TIME_UID = "playbook-outcomes-event-time";
    public static final String DAILY_UID = "playbook-outcomes-daily";
    public static final String LATE_UID = "playbook-outcomes-late";
    /** Metric of the late path: outcome events that came after their day's record. */
    public static final String LATE_EVENTS = "lateOutcomeEvents";

    static final TypeInformation<OutcomeEvent> EVENT_TYPE = TypeInformation.of(OutcomeEvent.class);
    static final TypeInformation<PlaybookOutcome> RECORD_TYPE = TypeInformation.of(PlaybookOutcome.class);
    static final OutputTag<OutcomeEvent> LATE = new OutputTag<>("late-outcome-events", EVENT_TYPE);

    private DailyPlaybookOutcomes() {}

    /**
     * The daily records of a stream of outcome events that carries event time (watermarks) from the
     * detector. Operators: {@value #EVENT_TIME_UID}, {@value #DAILY_UID} (the window, state: one
     * {@link DailyCounts} per playbook and open day) and {@value #LATE_UID}.
     */
    public static DataStream<PlaybookOutcome> aggregate(DataStream<OutcomeEvent> events) {
        SingleOutputStreamOperator<PlaybookOutcome> daily = events
                .transform("Outcome event time", EVENT_TYPE, new AtAsTimestamp())
                .uid(EVENT_TIME_UID)
                .setParallelism(events.getParallelism())
                .keyBy(e -> e.playbook, Types.STRING)
                // Aligned to the epoch, so the windows are UTC days.
                .window(TumblingEventTimeWindows.of(Duration.ofDays(1)))
                .sideOutputLateData(LATE)
                .aggregate(new Count(), new AsRecord())
                .uid(DAILY_UID)
                .name("Playbook outcomes per day");
        DataStream<PlaybookOutcome> late = daily.getSideOutput(LATE)
                .map(new LateEventAsRecord())
                .returns(RECORD_TYPE)
                .uid(LATE_UID)
                .name("Late playbook outcomes");
        return daily.union(late);
    }

    /** The UTC day of an instant, YYYY-MM-DD. */
    static String day(long epochMillis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC).toString();
    }

    /**
     * Sets each record's timestamp to its event's {@code at}: the day is defined by {@code at}, and the
     * window assigns by record timestamp. The detector is to stamp them so already; this keeps the day
     * right, and the lateness check consistent with it, should an event be emitted under another
     * timestamp (from a timer of a later instant, say). Watermarks pass through unchanged.
     */
    static final class AtAsTimestamp extends AbstractStreamOperator<OutcomeEvent>
            implements OneInputStreamOperator<OutcomeEvent, OutcomeEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(StreamRecord<OutcomeEvent> element) {
            output.collect(element.replace(element.getValue(), element.getValue().at));
        }
    }

    /** Counts a day's events, in a POJO accumulator. */
    static final class Count implements AggregateFunction<OutcomeEvent, DailyCounts, DailyCounts> {
        private static final long serialVersionUID = 1L;

        @Override
        public DailyCounts createAccumulator() {
            return new DailyCounts();
        }

        @Override
        public DailyCounts add(OutcomeEvent event, DailyCounts acc) {
            return acc.add(event);
        }

        @Override
        public DailyCounts getResult(DailyCounts acc) {
            return acc;
        }

        @Override
        public DailyCounts merge(DailyCounts a, DailyCounts b) {
            return a.merge(b);
        }
    }

    /** Names the counts with their playbook (the key) and day (the window). */
    static final class AsRecord extends ProcessWindowFunction<DailyCounts, PlaybookOutcome, String, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(String playbook, Context context, Iterable<DailyCounts> counts, Collector<PlaybookOutcome> out) {
            for (DailyCounts c : counts) out.collect(c.toRecord(playbook, day(context.window().getStart())));
        }
    }

    /** A late event as a record of its own, to add to its day's. */
    static final class LateEventAsRecord extends RichMapFunction<OutcomeEvent, PlaybookOutcome> {
        private static final long serialVersionUID = 1L;
        private transient Counter late;

        @Override
        public void open(OpenContext context) {
            late = getRuntimeContext().getMetricGroup().counter(LATE_EVENTS);
        }

        @Override
        public PlaybookOutcome map(OutcomeEvent e) {
            late.inc();
            return new DailyCounts().add(e).toRecord(e.playbook, day(e.at));
        }
    }
}
