package io.churnradar.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.SeenEventIds;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detector restores the state written by every released version and carries on where it stopped.
 * Versions 1 to 3 stored the account as a Flink POJO and each event id in the map state
 * {@code seen-event-ids}: they restore into the compact layout (migrated on RocksDB and on the heap) and
 * their ids into the account's hashes, so a re-sent event is still a duplicate.
 */
class DetectorStateEvolutionTest {

    static StateBackend backend(String name) {
        return name.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    static OperatorSubtaskState snapshot(String version) throws Exception {
        return OperatorSnapshotUtil.readStateHandle(DetectorStateEvolutionTest.class.getClassLoader()
                .getResource("snapshots/detector-" + version + ".snapshot").getPath());
    }

    static KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> restored(String version, String backend) throws Exception {
        var h = DetectorSnapshots.harness();
        h.setStateBackend(backend(backend));
        h.setup();
        h.initializeState(snapshot(version));
        h.open();
        return h;
    }

    static AccountState account(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h, String key) throws Exception {
        // The accounts the detector still holds as objects reach the state first.
        ((ChurnDetector) ((org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator<?, ?>) h.getOperator()).getUserFunction())
                .flushAccounts();
        h.getOperator().setCurrentKey(key);
        ValueStateDescriptor<AccountState> d = new ValueStateDescriptor<>(ChurnDetector.ACCOUNT_STATE, AccountState.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(90)).build()); // as DetectorSnapshots' detector
        return h.getOperator().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d).value();
    }

    /** The old per-id map of one account: what has not been folded into its hashes yet. */
    static List<String> oldIds(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h, String key) throws Exception {
        h.getOperator().setCurrentKey(key);
        MapStateDescriptor<String, Long> d = new MapStateDescriptor<>(ChurnDetector.SEEN_EVENT_IDS, String.class, Long.class);
        d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(90)).build());
        MapState<String, Long> m = h.getOperator().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, d);
        List<String> ids = new ArrayList<>();
        for (String id : m.keys()) ids.add(id);
        return ids;
    }

    static long duplicates(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h) {
        var a = h.getOperator().getRuntimeContext().getAccumulator(ChurnDetector.DUPLICATES);
        return a == null ? 0 : (Long) a.getLocalValue();
    }

    // The snapshots of released versions are heap checkpoints (DetectorSnapshots), which only the heap backend reads;
    // rocksDbMigratesAPojoAccountState below covers RocksDB's migration path.
    @ParameterizedTest
    @ValueSource(strings = {"heap"})
    void restoresTheStateOfVersion1(String backend) throws Exception {
        try (var h = restored("v1", backend)) {
            AccountState a = account(h, "acct-a");
            assertThat(a.oldestEventIdAt).as("ids still in the old map").isNotEqualTo(AccountState.NONE);
            assertThat(oldIds(h, "acct-a")).contains("acct-a-u9");

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
            assertThat(duplicates(h)).isEqualTo(1);

            // The ids moved into the account's hashes, once.
            a = account(h, "acct-a");
            assertThat(a.oldestEventIdAt).isEqualTo(AccountState.NONE);
            assertThat(a.seenIdHashes).contains(SeenEventIds.hash("acct-a-u9"), SeenEventIds.hash("acct-a-l9"));
            assertThat(oldIds(h, "acct-a")).isEmpty();
        }
    }

    /**
     * Version 3 (playbooks: plays in progress, outcome entries, subscription, card, feedback, urgent tickets,
     * open episodes, dedup ids): restored, the detector goes on exactly as one that never stopped. The same
     * continuation runs on a detector fed the whole history without a restore; both emit the same alerts and
     * playbook decisions, and the re-sent events are duplicates in both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap"})
    void restoresTheStateOfVersion3AndCarriesOnAsIfNeverStopped(String backend) throws Exception {
        List<String> uninterrupted;
        long uninterruptedDuplicates;
        try (var h = DetectorSnapshots.harness()) {
            h.setStateBackend(backend(backend));
            h.setup();
            h.open();
            DetectorSnapshots.feedHistoryV3(h);
            uninterrupted = continuationLines(h);
            uninterruptedDuplicates = duplicates(h);
        }

        try (var h = restored("v3", backend)) {
            AccountState c = account(h, DetectorSnapshots.ACCT_C);
            assertThat(c.plays.plays).as("plays in progress").isNotEmpty();
            assertThat(c.subscription.plan).isEqualTo("team");
            assertThat(c.subscription.seats).isEqualTo(12);
            assertThat(c.card.expiryMonth).isNotEqualTo(AccountState.NONE);
            assertThat(c.feedback.lastNpsScore).isEqualTo(4);
            assertThat(c.urgentTickets.ids).containsExactly("T-77");
            assertThat(account(h, DetectorSnapshots.ACCT_D).plays.outcomes).anyMatch(o -> o.heldOut);

            List<String> restored = continuationLines(h);
            assertThat(restored).isNotEmpty().containsExactlyElementsOf(uninterrupted);
            assertThat(duplicates(h)).as("the re-sent events").isEqualTo(3);
            assertThat(uninterruptedDuplicates).isEqualTo(3);
            assertThat(account(h, "acct-b").oldestEventIdAt).isEqualTo(AccountState.NONE);
        }
    }

    /**
     * Version 4 held events ahead of the watermark in the account's buffer, each with a Flink timer of its own; this
     * version releases held accounts without one ({@code HeldAccounts}). Restored, the three events held at the
     * snapshot are applied when the watermark passes them, by the timers that came with them, and from then on the
     * detector goes on as one that never stopped: the same alerts and playbook decisions, nothing held, one timer an
     * account at most.
     */
    @Test
    void appliesTheEventsHeldInASnapshotOfVersion4() throws Exception {
        List<String> uninterrupted;
        try (var h = DetectorSnapshots.harnessInEventTimeOrder()) {
            h.setup();
            h.open();
            DetectorSnapshots.feedHistoryV4(h);
            uninterrupted = continuationLines(h);
        }

        try (var h = DetectorSnapshots.harnessInEventTimeOrder()) {
            h.setup();
            h.initializeState(snapshot("v4"));
            h.open();
            assertThat(h.numEventTimeTimers()).as("version 4's timers, the held events' among them").isPositive();
            for (String held : new String[] {"acct-a", DetectorSnapshots.ACCT_C, DetectorSnapshots.ACCT_D}) {
                assertThat(account(h, held).buffered).as(held + " holds its event").hasSize(1);
            }
            List<String> restored = continuationLines(h);
            // Accounts' timers and releases at one watermark may come in any order between accounts: compared as sets of lines.
            assertThat(restored).isNotEmpty().containsExactlyInAnyOrderElementsOf(uninterrupted);
            assertThat(restored).anyMatch(l -> l.startsWith(DetectorSnapshots.ACCT_C + " PAYMENT_FAILED RESOLVED"));
            for (String acct : new String[] {"acct-a", "acct-b", DetectorSnapshots.ACCT_C, DetectorSnapshots.ACCT_D}) {
                assertThat(account(h, acct).buffered).as(acct + " holds nothing").isNullOrEmpty();
            }
            assertThat(h.numEventTimeTimers()).as("one timer an account at most").isLessThanOrEqualTo(4);
        }
    }

    /**
     * After the snapshot: three re-sent events (acct-b's second failure, which would make the streak 3 and the
     * episode CRITICAL if counted; acct-a's and acct-c's day-9 usage), acct-c pays (resolving its failure and
     * ending its dunning play), then twenty days of event time pass (the card's notices, inactivity, day closes).
     */
    static void continuation(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h) throws Exception {
        String c = DetectorSnapshots.ACCT_C;
        // Event time where the snapshot left it (a restored operator starts without a watermark).
        h.processWatermark(DetectorSnapshots.at(9, 23));
        h.processElement(AccountEvent.payment("acct-b-p7", "acct-b", DetectorSnapshots.at(7, 12), PaymentStatus.FAILED),
                DetectorSnapshots.at(10, 1));
        h.processElement(AccountEvent.usage("acct-a-u9", "acct-a", DetectorSnapshots.at(9, 10), "reports", 5), DetectorSnapshots.at(10, 1));
        h.processElement(AccountEvent.usage(c + "-u9", c, DetectorSnapshots.at(9, 11), "dashboards", 11.5), DetectorSnapshots.at(10, 1));
        h.processElement(AccountEvent.payment(c + "-p10", c, DetectorSnapshots.at(10, 12), PaymentStatus.SUCCEEDED), DetectorSnapshots.at(10, 12));
        for (int d = 10; d < 30; d++) h.processWatermark(DetectorSnapshots.at(d, 23));
    }

    /** Runs the {@link #continuation} and returns the alerts and playbook decisions it added, as lines. */
    static List<String> continuationLines(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h) throws Exception {
        int before = h.extractOutputValues().size();
        int commandsBefore = commands(h).size();
        continuation(h);
        List<String> added = new ArrayList<>(lines(h.extractOutputValues().subList(before, h.extractOutputValues().size())));
        added.addAll(commandLines(commands(h).subList(commandsBefore, commands(h).size())));
        return added;
    }

    static List<RetentionCommand> commands(KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h) {
        var out = h.getSideOutput(ChurnDetector.COMMANDS);
        List<RetentionCommand> list = new ArrayList<>();
        if (out != null) for (var r : out) list.add(r.getValue());
        return list;
    }

    static List<String> lines(List<RiskAlert> alerts) {
        return alerts.stream().map(a -> a.getAccountId() + " " + a.getSignal() + " " + a.getStatus() + " " + a.getSeverity() + " "
                + a.getDetectedAt() + " " + a.getAlertId()).toList();
    }

    static List<String> commandLines(List<RetentionCommand> commands) {
        return commands.stream().map(c -> c.getAccountId() + " " + c.getAction() + " " + c.getIssuedAt() + " " + c.getDisposition()
                + " " + c.getCommandId()).toList();
    }

    /**
     * RocksDB's path: an account stored as versions 1 to 3 stored it (Flink's POJO serializer of AccountState, its
     * ids in the map state, both with the job's TTL), snapshotted by RocksDB, restored into the detector on RocksDB.
     * Flink finds the POJO snapshot compatible after migration and rewrites the value in the compact layout when the
     * detector registers the state; the detector then folds the old ids into the hashes.
     */
    @org.junit.jupiter.api.Test
    void rocksDbMigratesAPojoAccountState() throws Exception {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(Duration.ofDays(90)).build();
        long t0 = DetectorSnapshots.at(0, 0);
        OperatorSubtaskState old;
        try (var w = new org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness<String, String, String>(
                new org.apache.flink.streaming.api.operators.KeyedProcessOperator<>(new OldLayoutWriter(ttl)), k -> k,
                org.apache.flink.api.common.typeinfo.Types.STRING, 1, 1, 0)) {
            w.setStateBackend(new EmbeddedRocksDBStateBackend());
            w.open();
            w.processElement("acct-b", t0);
            old = w.snapshot(1, 1);
        }
        try (var h = DetectorSnapshots.harness()) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.setup();
            h.initializeState(old);
            h.open();
            assertThat(h.getOperator().getKeyedStateBackend().getClass().getSimpleName()).contains("RocksDB");
            AccountState b = account(h, "acct-b");
            assertThat(b.failureStreak).isEqualTo(2);
            assertThat(b.oldestEventIdAt).isEqualTo(DetectorSnapshots.at(4, 12));

            h.processWatermark(DetectorSnapshots.at(9, 23));
            // Its second failure re-sent: a duplicate (counted, it would have made the episode CRITICAL).
            h.processElement(AccountEvent.payment("acct-b-p7", "acct-b", DetectorSnapshots.at(7, 12), PaymentStatus.FAILED),
                    DetectorSnapshots.at(10, 1));
            h.processElement(AccountEvent.payment("acct-b-p10", "acct-b", DetectorSnapshots.at(10, 12), PaymentStatus.SUCCEEDED),
                    DetectorSnapshots.at(10, 12));
            List<RiskAlert> alerts = h.extractOutputValues();
            assertThat(lines(alerts)).hasSize(1);
            assertThat(alerts.get(0).getStatus()).isEqualTo(AlertStatus.RESOLVED);
            assertThat(alerts.get(0).getSeverity().name()).isEqualTo("HIGH");
            assertThat(duplicates(h)).isEqualTo(1);
            b = account(h, "acct-b");
            assertThat(b.oldestEventIdAt).isEqualTo(AccountState.NONE);
            assertThat(b.seenIdHashes).contains(SeenEventIds.hash("acct-b-p4"), SeenEventIds.hash("acct-b-p7"));
            assertThat(oldIds(h, "acct-b")).isEmpty();
        }
    }

    /** Writes acct-b as versions 1 to 3 kept it: an open PAYMENT_FAILED episode (two failures), ids in the map. */
    static final class OldLayoutWriter extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, String, String> {
        private final StateTtlConfig ttl;

        OldLayoutWriter(StateTtlConfig ttl) {
            this.ttl = ttl;
        }

        @Override
        public void processElement(String key, Context ctx, org.apache.flink.util.Collector<String> out) throws Exception {
            ValueStateDescriptor<AccountState> account = new ValueStateDescriptor<>(ChurnDetector.ACCOUNT_STATE, pojoType());
            account.enableTimeToLive(ttl);
            MapStateDescriptor<String, Long> ids = new MapStateDescriptor<>(ChurnDetector.SEEN_EVENT_IDS, String.class, Long.class);
            ids.enableTimeToLive(ttl);
            AccountState s = new AccountState();
            s.firstEventDay = Math.floorDiv(DetectorSnapshots.at(4, 12), 86_400_000L);
            s.failureStreak = 2;
            s.lastPaymentFailureAt = DetectorSnapshots.at(7, 12);
            s.setEpisode(io.churnradar.signals.Signal.PAYMENT_FAILED, new io.churnradar.detect.Episode(DetectorSnapshots.at(4, 12),
                    io.churnradar.alerts.Severity.HIGH));
            s.oldestEventIdAt = DetectorSnapshots.at(4, 12);
            getRuntimeContext().getState(account).update(s);
            getRuntimeContext().getMapState(ids).put("acct-b-p4", DetectorSnapshots.at(4, 12));
            getRuntimeContext().getMapState(ids).put("acct-b-p7", DetectorSnapshots.at(7, 12));
        }
    }

    /** AccountState as Flink's POJO serializer stored it before the compact layout (its @TypeInfo bypassed). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static TypeInformation<AccountState> pojoType() {
        List<org.apache.flink.api.java.typeutils.PojoField> fields = new ArrayList<>();
        for (java.lang.reflect.Field f : AccountState.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
            fields.add(new org.apache.flink.api.java.typeutils.PojoField(f,
                    org.apache.flink.api.java.typeutils.TypeExtractor.createTypeInfo(f.getGenericType())));
        }
        return new org.apache.flink.api.java.typeutils.PojoTypeInfo(AccountState.class, fields);
    }
}
