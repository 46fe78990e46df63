package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.backtest.results.AlertJson;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What Kafka's read order does to the detector, deterministically. The Kafka source reads each
 * partition at its own pace and the watermark is the minimum over partitions (MIN until each has
 * emitted), so one topic's events routinely reach the detector days ahead of the watermark; the
 * integration tests see this only when the consumer happens to fetch that way. Here the real
 * {@link ChurnDetector} gets the same events in three orders a Kafka job can produce: in event-time
 * order (as the backtest reads them), with the "activity" partition (logins and tickets) read to its
 * end first, and with the "usage" partition read to its end first. All three must give the same alerts.
 */
class KafkaReadOrderTest {
    private static final long BOUND = Duration.ofMinutes(10).toMillis();

    enum ReadOrder { EVENT_TIME, ACTIVITY_PARTITION_FIRST, USAGE_PARTITION_FIRST }

    @ParameterizedTest
    @EnumSource(ReadOrder.class)
    void readOrderDoesNotChangeTheAlerts(ReadOrder order) throws Exception {
        List<AccountEvent> activity = new ArrayList<>();
        List<AccountEvent> usage = new ArrayList<>();

        // A login 29 days after the previous one: INACTIVITY from day 15 06:00 to day 30 06:00.
        activity.add(AccountEvent.login("g-1", "gap", at(1, 6).toEpochMilli()));
        activity.add(AccountEvent.login("g-30", "gap", at(30, 6).toEpochMilli()));
        activity.add(AccountEvent.login("g-40", "gap", at(40, 6).toEpochMilli()));
        // Two ticket spikes: days 2-4 (over at the close of day 9) and days 15-17 (over at the close of day 22).
        for (int d : new int[] {2, 3, 4, 15, 16, 17}) {
            activity.add(AccountEvent.ticket("t-" + d, "spikes", at(d, 14).toEpochMilli(), "S-" + d, TicketStatus.OPENED));
        }
        // An account whose first login (day 25) comes long after its first usage (day 0).
        activity.add(AccountEvent.login("ll-25", "late-login", at(25, 10).toEpochMilli()));
        activity.add(AccountEvent.login("ll-35", "late-login", at(35, 10).toEpochMilli()));
        for (int d = 0; d <= 44; d++) {
            usage.add(AccountEvent.usage("lu-" + d, "late-login", at(d, 7).toEpochMilli(), "api", d <= 13 ? 12 : d <= 20 ? 3 : 12));
            // A clock on both partitions, so that both advance the watermark to the end.
            activity.add(AccountEvent.login("ca-" + d, "clock-a", at(d, 12).toEpochMilli()));
            usage.add(AccountEvent.usage("cu-" + d, "clock-u", at(d, 12).toEpochMilli(), "ping", 1));
        }
        activity.sort(Comparator.comparingLong(e -> e.eventTime));

        List<RiskAlert> alerts = run(order, activity, usage);

        List<PlantedSignals.Expected> expected = List.of(
                new PlantedSignals.Expected("gap", "INACTIVITY", AlertStatus.RAISED, Severity.MEDIUM, at(15, 6)),
                new PlantedSignals.Expected("gap", "INACTIVITY", AlertStatus.RESOLVED, Severity.MEDIUM, at(30, 6)),
                new PlantedSignals.Expected("spikes", "TICKET_SPIKE", AlertStatus.RAISED, Severity.MEDIUM, at(4, 14)),
                new PlantedSignals.Expected("spikes", "TICKET_SPIKE", AlertStatus.RESOLVED, Severity.MEDIUM, at(10, 0)),
                new PlantedSignals.Expected("spikes", "TICKET_SPIKE", AlertStatus.RAISED, Severity.MEDIUM, at(17, 14)),
                new PlantedSignals.Expected("spikes", "TICKET_SPIKE", AlertStatus.RESOLVED, Severity.MEDIUM, at(23, 0)),
                new PlantedSignals.Expected("late-login", "USAGE_DROP", AlertStatus.RAISED, Severity.HIGH, at(17, 0)),
                new PlantedSignals.Expected("late-login", "USAGE_DROP", AlertStatus.RESOLVED, Severity.HIGH, at(24, 0)));
        AlertAssertions.assertExactly(alerts, expected, order.name());

        // Byte for byte what event-time order gives, evidence and explanations included.
        if (order != ReadOrder.EVENT_TIME) {
            assertThat(json(alerts)).containsExactlyInAnyOrderElementsOf(json(run(ReadOrder.EVENT_TIME, activity, usage)));
        }
    }

    /** Feeds the detector as a Kafka source with two partitions would, in the given order. */
    private static List<RiskAlert> run(ReadOrder order, List<AccountEvent> activity, List<AccountEvent> usage) throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h = new KeyedBroadcastOperatorTestHarness<>(
                ChurnPipeline.operator(new ChurnDetector(Rules.defaults(), null)), e -> e.accountId, Types.STRING, 1, 1, 0)) {
            h.open();
            Source source = new Source(h);
            switch (order) {
                case EVENT_TIME -> {
                    List<AccountEvent> all = new ArrayList<>(activity);
                    all.addAll(usage);
                    all.sort(Comparator.comparingLong(e -> e.eventTime));
                    for (AccountEvent e : all) source.emit(activity.contains(e) ? 0 : 1, e);
                }
                case ACTIVITY_PARTITION_FIRST -> {
                    for (AccountEvent e : activity) source.emit(0, e);
                    for (AccountEvent e : usage) source.emit(1, e);
                }
                case USAGE_PARTITION_FIRST -> {
                    for (AccountEvent e : usage) source.emit(1, e);
                    for (AccountEvent e : activity) source.emit(0, e);
                }
            }
            // The end of a bounded input: Long.MAX_VALUE, at which the detector fires nothing more.
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    /** Per-partition bounded out-of-orderness watermarks, combined by minimum as a source operator does. */
    private static final class Source {
        private final KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h;
        private final long[] max = {Long.MIN_VALUE, Long.MIN_VALUE};
        private long emitted = Long.MIN_VALUE;

        Source(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h) {
            this.h = h;
        }

        void emit(int partition, AccountEvent e) throws Exception {
            h.processElement(new StreamRecord<>(e, e.eventTime));
            max[partition] = Math.max(max[partition], e.eventTime);
            if (max[0] == Long.MIN_VALUE || max[1] == Long.MIN_VALUE) return; // a partition without data holds it at MIN
            long wm = Math.min(max[0], max[1]) - BOUND - 1;
            if (wm > emitted) {
                emitted = wm;
                h.processWatermark(new Watermark(wm));
            }
        }
    }

    /** Without the health score, which reflects every event read at detection, including ones read ahead. */
    private static List<String> json(List<RiskAlert> alerts) {
        return alerts.stream().map(a -> {
            RiskAlert copy = RiskAlert.newBuilder(a).setHealthScore(null).setHealthTier(null).build();
            return AlertJson.toJson(copy);
        }).collect(Collectors.toList());
    }
}
