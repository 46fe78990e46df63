package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.List;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

/** The detector on a real embedded RocksDB backend gives what it gives on the heap. */
class RocksDbHarnessTest {

    @Test
    void theMixedScenarioOnRocksDbMatchesTheHeap() throws Exception {
        List<AccountEvent> events = Scenario.mixedEvents();
        List<String> onHeap;
        try (DetectorHarness h = DetectorHarness.open()) {
            Scenario.replay(h, events);
            onHeap = h.alerts().stream().map(a -> AlertLines.line(a) + " " + a.getAlertId() + " " + a.getEvidence()).toList();
            assertThat(lines(h.alerts())).isEqualTo(Scenario.expectedMixedAlerts());
        }
        try (DetectorHarness h = DetectorHarness.open(DetectorHarness.signalsOnly(), new EmbeddedRocksDBStateBackend())) {
            assertThat(h.keyedBackendClass()).contains("RocksDB");
            Scenario.replay(h, events);
            assertThat(h.alerts().stream().map(a -> AlertLines.line(a) + " " + a.getAlertId() + " " + a.getEvidence()).toList())
                    .isEqualTo(onHeap);
            // State written through RocksDB's serializers reads back whole.
            AccountState dropper = h.accountState("dropper");
            assertThat(dropper.episode(Signal.USAGE_DROP)).isNotNull();
            assertThat(dropper.episode(Signal.INACTIVITY)).isNotNull();
            assertThat(h.accountState("payer").episode(Signal.PAYMENT_FAILED)).isNull();
            assertThat(h.accountState("steady").bucketDays).isNotEmpty();
            assertThat(h.timers()).isEqualTo(1); // only "steady" is still being watched
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(events.size());
        }
    }
}
