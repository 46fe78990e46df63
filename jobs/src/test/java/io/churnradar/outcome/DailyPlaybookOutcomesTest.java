package io.churnradar.outcome;

import static io.churnradar.play.OutcomeEvent.Kind.ENTERED;
import static io.churnradar.play.OutcomeEvent.Kind.LOST;
import static io.churnradar.play.OutcomeEvent.Kind.SAVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.testing.FlinkTestCluster;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daily records of churn.playbook-outcomes on a MiniCluster (RocksDB, no Kryo): one per playbook
 * and UTC day, late events as records of their own, the day taken from {@code at}.
 */
class DailyPlaybookOutcomesTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = FlinkTestCluster.extension(2);

    private static final String CALL = "call-owner";
    private static final String DISCOUNT = "discount-offer";

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static OutcomeEvent treated(String playbook, String account, OutcomeEvent.Kind kind, String at, long mrr) {
        return new OutcomeEvent(playbook, account, false, kind, at(at), mrr);
    }

    private static OutcomeEvent heldOut(String playbook, String account, OutcomeEvent.Kind kind, String at, long mrr) {
        return new OutcomeEvent(playbook, account, true, kind, at(at), mrr);
    }

    private static PlaybookOutcome record(String playbook, String day, long treatedEntered, long heldOutEntered,
            long treatedSaved, long treatedLost, long heldOutSaved, long heldOutLost, long treatedSavedMrr, long heldOutSavedMrr) {
        return new PlaybookOutcome(playbook, day, treatedEntered, heldOutEntered, treatedSaved, treatedLost,
                heldOutSaved, heldOutLost, treatedSavedMrr, heldOutSavedMrr);
    }

    /**
     * Watermarks as the detector's output carries them, made deterministic: after each event, the
     * newest timestamp so far minus one. A day closes as soon as an event of a later day has passed.
     */
    static final class AfterEachEvent implements WatermarkGenerator<OutcomeEvent> {
        private long max = Long.MIN_VALUE;

        @Override
        public void onEvent(OutcomeEvent event, long timestamp, WatermarkOutput output) {
            max = Math.max(max, timestamp);
            output.emitWatermark(new Watermark(max - 1));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** The events in this order from one source, stamped at {@code at + offsetMs}. */
    static DataStream<OutcomeEvent> timed(StreamExecutionEnvironment env, List<OutcomeEvent> events, long offsetMs) {
        return env.fromData(events, DailyPlaybookOutcomes.EVENT_TYPE).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<OutcomeEvent>forGenerator(ctx -> new AfterEachEvent())
                        .withTimestampAssigner((e, previous) -> e.at + offsetMs))
                .setParallelism(1);
    }

    /** Runs the aggregation over the events in this order, stamped at {@code at + offsetMs}, read by one source. */
    static List<PlaybookOutcome> run(List<OutcomeEvent> events, long offsetMs) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.config());
        env.setParallelism(2);
        List<PlaybookOutcome> out = new ArrayList<>();
        try (CloseableIterator<PlaybookOutcome> it =
                DailyPlaybookOutcomes.aggregate(timed(env, events, offsetMs)).executeAndCollect("playbook outcomes")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void oneRecordPerPlaybookAndDayAndLateEventsOnTheirOwn() throws Exception {
        List<OutcomeEvent> events = List.of(
                treated(CALL, "acct-1", ENTERED, "2026-03-01T09:00:00Z", 10_000),
                heldOut(CALL, "acct-2", ENTERED, "2026-03-01T10:00:00Z", 5_000),
                treated(DISCOUNT, "acct-3", ENTERED, "2026-03-01T11:00:00Z", 7_000),
                treated(CALL, "acct-4", ENTERED, "2026-03-01T23:59:59.999Z", -1), // the last instant of the day
                treated(CALL, "acct-5", LOST, "2026-03-02T00:00:00Z", 3_000), // the first of the next: closes 03-01
                heldOut(DISCOUNT, "acct-6", ENTERED, "2026-03-02T12:00:00Z", 2_000),
                treated(CALL, "acct-7", SAVED, "2026-03-03T08:00:00Z", 10_000),
                treated(CALL, "acct-8", SAVED, "2026-03-03T09:00:00Z", -1), // unknown MRR: counted, adds no MRR
                heldOut(CALL, "acct-9", SAVED, "2026-03-03T10:00:00Z", 4_000),
                heldOut(CALL, "acct-10", LOST, "2026-03-03T11:00:00Z", 6_000),
                treated(DISCOUNT, "acct-11", SAVED, "2026-03-04T07:00:00Z", 9_000),
                treated(CALL, "acct-12", ENTERED, "2026-03-02T15:00:00Z", 1_000), // late: 03-02 has been emitted
                heldOut(DISCOUNT, "acct-13", LOST, "2026-03-04T08:00:00Z", 2_000));

        assertThat(run(events, 0)).containsExactlyInAnyOrder(
                record(CALL, "2026-03-01", 2, 1, 0, 0, 0, 0, 0, 0),
                record(CALL, "2026-03-02", 0, 0, 0, 1, 0, 0, 0, 0),
                record(CALL, "2026-03-02", 1, 0, 0, 0, 0, 0, 0, 0), // the late entry
                record(CALL, "2026-03-03", 0, 0, 2, 0, 1, 1, 10_000, 4_000),
                record(DISCOUNT, "2026-03-01", 1, 0, 0, 0, 0, 0, 0, 0),
                record(DISCOUNT, "2026-03-02", 0, 1, 0, 0, 0, 0, 0, 0),
                record(DISCOUNT, "2026-03-04", 0, 0, 1, 0, 0, 1, 9_000, 0));
    }

    @Test
    void theDayIsTheDayOfAtWhateverTheRecordTimestamp() throws Exception {
        // Stamped an hour after `at`: the late-evening events would otherwise fall into the next day.
        List<OutcomeEvent> events = List.of(
                treated(CALL, "acct-1", ENTERED, "2026-03-01T22:30:00Z", 100),
                heldOut(CALL, "acct-2", ENTERED, "2026-03-01T23:30:00Z", 100),
                treated(CALL, "acct-3", SAVED, "2026-03-02T00:30:00Z", 100));

        assertThat(run(events, 3_600_000L)).containsExactlyInAnyOrder(
                record(CALL, "2026-03-01", 1, 1, 0, 0, 0, 0, 0, 0),
                record(CALL, "2026-03-02", 0, 0, 1, 0, 0, 0, 100, 0));
    }

    @Test
    void theDailyRecordsAddUpToTheBacktestTally() throws Exception {
        List<OutcomeEvent> events = new ArrayList<>(OutcomesJsonTest.planted());
        events.sort(Comparator.comparingLong(e -> e.at));
        OutcomeTally tally = new OutcomeTally().addAll(events);

        Map<String, DailyCounts> sums = new TreeMap<>();
        for (PlaybookOutcome r : run(events, 0)) {
            DailyCounts c = new DailyCounts();
            c.treatedEntered = r.getTreatedEntered();
            c.heldOutEntered = r.getHeldOutEntered();
            c.treatedSaved = r.getTreatedSaved();
            c.treatedLost = r.getTreatedLost();
            c.heldOutSaved = r.getHeldOutSaved();
            c.heldOutLost = r.getHeldOutLost();
            c.treatedSavedMrrMinor = r.getTreatedSavedMrrMinor();
            c.heldOutSavedMrrMinor = r.getHeldOutSavedMrrMinor();
            sums.computeIfAbsent(r.getPlaybook(), k -> new DailyCounts()).merge(c);
        }

        assertThat(sums.keySet()).isEqualTo(tally.stats().keySet());
        tally.stats().forEach((playbook, s) -> {
            DailyCounts c = sums.get(playbook);
            assertThat(List.of(c.treatedEntered, c.treatedSaved, c.treatedLost, c.treatedSavedMrrMinor))
                    .as(playbook + " treated")
                    .containsExactly(s.treated().entered(), s.treated().saved(), s.treated().lost(), s.treated().savedMrrMinor());
            assertThat(List.of(c.heldOutEntered, c.heldOutSaved, c.heldOutLost, c.heldOutSavedMrrMinor))
                    .as(playbook + " held out")
                    .containsExactly(s.heldOut().entered(), s.heldOut().saved(), s.heldOut().lost(), s.heldOut().savedMrrMinor());
        });
    }
}
