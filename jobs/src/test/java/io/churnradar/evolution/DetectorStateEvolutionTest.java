package io.churnradar.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import java.util.List;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/** The detector restores the state written by every released version and carries on where it stopped. */
class DetectorStateEvolutionTest {

    @Test
    void restoresTheStateOfVersion1() throws Exception {
        var snapshot = OperatorSnapshotUtil.readStateHandle(
                getClass().getClassLoader().getResource("snapshots/detector-v1.snapshot").getPath());
        try (var h = DetectorSnapshots.harness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();

            // acct-b's open PAYMENT_FAILED episode survived: a success resolves it, a failure does not raise again.
            h.processElement(AccountEvent.payment("acct-b-p10", "acct-b", DetectorSnapshots.at(10, 12), PaymentStatus.SUCCEEDED),
                    DetectorSnapshots.at(10, 12));
            // acct-a's usage history survived: the dedup ids too (a re-sent day-9 event counts once).
            h.processElement(AccountEvent.usage("acct-a-u9", "acct-a", DetectorSnapshots.at(9, 10), "reports", 5),
                    DetectorSnapshots.at(9, 10));

            List<RiskAlert> alerts = h.extractOutputValues();
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).getSignal()).isEqualTo("PAYMENT_FAILED");
            assertThat(alerts.get(0).getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alerts.get(0).getEpisodeStart().toEpochMilli()).isEqualTo(DetectorSnapshots.at(4, 12));
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
        }
    }
}
