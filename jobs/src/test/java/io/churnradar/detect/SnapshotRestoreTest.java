package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A restored detector keeps its episodes and its timers: no second RAISED, the same alertIds. */
class SnapshotRestoreTest {
    private static final String ACC = "pied-piper";

    private static Supplier<StateBackend> backend(String name) {
        return switch (name) {
            case "heap" -> HashMapStateBackend::new;
            case "rocksdb" -> EmbeddedRocksDBStateBackend::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void episodesAndTimersSurviveARestore(String backendName) throws Exception {
        Supplier<StateBackend> backend = backend(backendName);
        OperatorSubtaskState first;
        RiskAlert paymentRaised;
        try (DetectorHarness h = DetectorHarness.open(DetectorHarness.signalsOnly(), backend.get())) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2));
            h.send(Ev.failed(ACC, at(3, 9)));
            assertThat(h.keyedBackendClass()).containsIgnoringCase(backendName.equals("rocksdb") ? "RocksDB" : "Heap");
            h.watermark(day(10));
            paymentRaised = h.alerts().get(0);
            assertThat(lines(h.alerts())).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(3, 9)));
            first = h.snapshot(1);
        }

        OperatorSubtaskState second;
        RiskAlert usageRaised;
        try (DetectorHarness h = DetectorHarness.restore(first, backend.get())) {
            assertThat(h.timers()).isEqualTo(1);
            // The open payment episode was restored: more failures update it, they do not raise again.
            h.send(Ev.failed(ACC, at(10, 9)));
            assertThat(h.newAlerts()).isEmpty();
            h.send(Ev.failed(ACC, at(11, 9)));
            List<RiskAlert> updated = h.newAlerts();
            assertThat(lines(updated)).containsExactly(line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(11, 9)));
            assertThat(updated.get(0).getAlertId()).isEqualTo(paymentRaised.getAlertId());

            // The silent account's day-close timer was restored: the drop is found by time alone.
            h.watermark(day(14));
            List<RiskAlert> usage = h.newAlerts();
            assertThat(lines(usage)).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
            usageRaised = usage.get(0);
            second = h.snapshot(2);
        }

        try (DetectorHarness h = DetectorHarness.restore(second, backend.get())) {
            h.watermark(day(14) + 1);
            h.send(Ev.usage(ACC, at(14, 9), 1)); // still far below: the episode holds
            h.watermark(day(15));
            assertThat(h.newAlerts()).as("no duplicate RAISED after the restore").isEmpty();

            h.send(Ev.usage(ACC, at(15, 9), 30));
            h.send(Ev.succeeded(ACC, at(15, 10)));
            h.watermark(day(16));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.PAYMENT_FAILED, "RESOLVED", "CRITICAL", at(15, 10)),
                    line(Signal.USAGE_DROP, "RESOLVED", "HIGH", day(16)));
            assertThat(out.get(0).getAlertId()).isEqualTo(paymentRaised.getAlertId());
            assertThat(out.get(1).getAlertId()).isEqualTo(usageRaised.getAlertId());
        }
    }
}
