package io.churnradar.evolution;

import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * The detector state that a released version leaves in its snapshots, so that later versions can
 * prove they restore it. {@code main} writes {@code snapshots/detector-<version>.snapshot}; run it
 * once per release whose state must stay readable, and keep the file.
 */
public final class DetectorSnapshots {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    static final long DAY = 86_400_000L;

    private DetectorSnapshots() {}

    static KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, io.churnradar.alerts.RiskAlert> harness() throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                ChurnPipeline.operator(new ChurnDetector(Rules.defaults(), Duration.ofDays(90))), e -> e.accountId, Types.STRING,
                1, 1, 0);
        return h;
    }

    static long at(int day, int hour) {
        return T0.toEpochMilli() + day * DAY + hour * 3_600_000L;
    }

    /**
     * Ten days of history: acct-a logs in and uses the product daily; acct-b has an open
     * PAYMENT_FAILED episode (two failures) that a later SUCCEEDED payment must resolve.
     */
    static void feedHistory(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, ?> h) throws Exception {
        for (int d = 0; d < 10; d++) {
            for (String acct : new String[] {"acct-a", "acct-b"}) {
                h.processElement(AccountEvent.login(acct + "-l" + d, acct, at(d, 9)), at(d, 9));
                h.processElement(AccountEvent.usage(acct + "-u" + d, acct, at(d, 10), "reports", 5), at(d, 10));
            }
            if (d == 4 || d == 7) {
                h.processElement(AccountEvent.payment("acct-b-p" + d, "acct-b", at(d, 12), PaymentStatus.FAILED), at(d, 12));
            }
            h.processWatermark(at(d, 23));
        }
    }

    public static void main(String[] args) throws Exception {
        String version = args.length > 0 ? args[0] : "v1";
        try (var h = harness()) {
            h.setup();
            h.open();
            feedHistory(h);
            var snapshot = h.snapshot(1, at(10, 0));
            String file = "jobs/src/test/resources/snapshots/detector-" + version + ".snapshot";
            org.apache.flink.streaming.util.OperatorSnapshotUtil.writeStateHandle(snapshot, file);
            System.out.println("wrote " + file + " (" + h.extractOutputValues().size() + " alerts before the snapshot)");
        }
    }
}
