package io.churnradar.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detector's operator in Flink's keyed broadcast harness, on the heap and on RocksDB: a rule set on
 * the broadcast input rules what follows, re-plans timers, survives a restore, and never moves event time.
 */
class RuleChangesInTheDetectorTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    private KeyedBroadcastOperatorTestHarness<String, AccountEvent, String, RiskAlert> h;
    private int taken;
    private int ids;

    private static long at(int day, int hour) {
        return T0 + day * DAY + hour * 3_600_000L;
    }

    private static Supplier<StateBackend> backend(String name) {
        return name.equals("rocksdb") ? EmbeddedRocksDBStateBackend::new : HashMapStateBackend::new;
    }

    private void open(Rules initial, String backend, OperatorSubtaskState restore) throws Exception {
        // Arrival order: the tests check that a rule set rules every event applied after it, event by event.
        open(initial, backend, restore, io.churnradar.detect.EventOrdering.arrival());
    }

    private void open(Rules initial, String backend, OperatorSubtaskState restore, io.churnradar.detect.EventOrdering ordering)
            throws Exception {
        h = new KeyedBroadcastOperatorTestHarness<>(ChurnPipeline.operator(
                new ChurnDetector(initial, null, ordering)), e -> e.accountId, Types.STRING, 4, 1, 0);
        h.setStateBackend(backend(backend).get());
        if (restore != null) h.initializeState(restore);
        h.open();
        taken = 0;
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) h.close();
    }

    private void failed(String account, long time) throws Exception {
        h.processElement(AccountEvent.payment("p-" + ++ids, account, time, PaymentStatus.FAILED), time);
    }

    private void login(String account, long time) throws Exception {
        h.processElement(AccountEvent.login("l-" + ++ids, account, time), time);
    }

    /** The alerts since the previous call, as "account signal status severity ruleVersion detectedAt". */
    private List<String> newAlerts() {
        List<RiskAlert> all = h.extractOutputValues();
        List<String> out = new ArrayList<>();
        for (RiskAlert a : all.subList(taken, all.size())) {
            out.add(String.join(" ", a.getAccountId(), a.getSignal(), a.getStatus().name(), a.getSeverity().name(), a.getRuleVersion(),
                    a.getDetectedAt().toString()));
        }
        taken = all.size();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aRuleSetRulesEverythingAfterIt(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        failed("acct-a", at(1, 12));
        assertThat(newAlerts()).containsExactly("acct-a PAYMENT_FAILED RAISED HIGH default-1 2026-03-02T12:00:00Z");

        h.processBroadcastElement(RuleTexts.V2, 0);
        failed("acct-b", at(2, 12));
        failed("acct-b", at(3, 12));
        assertThat(newAlerts()).containsExactly(
                "acct-b PAYMENT_FAILED RAISED MEDIUM v2 2026-03-03T12:00:00Z",
                "acct-b PAYMENT_FAILED UPDATED CRITICAL v2 2026-03-04T12:00:00Z");
        // An episode opened under the old rules carries on under the new ones.
        failed("acct-a", at(4, 12));
        assertThat(newAlerts()).containsExactly("acct-a PAYMENT_FAILED UPDATED CRITICAL v2 2026-03-05T12:00:00Z");
        assertThat(h.getBroadcastState(ChurnDetector.RULES).get(ChurnDetector.CURRENT_RULES)).isEqualTo(RuleTexts.V2);
    }

    /**
     * An event held ahead of the watermark (on RocksDB kept as an object, not yet written: AccountCache) when a rule
     * set arrives: the pass that re-plans every account's timer sees the account as it is, the event applies under
     * the new rules, and the account keeps one timer, the new deadline's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void anEventHeldWhenARuleSetArrivesAppliesUnderItAndTheAccountKeepsOneTimer(String backend) throws Exception {
        open(Rules.defaults(), backend, null, io.churnradar.detect.EventOrdering.defaults());
        login("acct-a", at(0, 9));
        h.processWatermark(at(0, 10)); // applied and written
        failed("acct-a", at(1, 12));
        h.processWatermark(at(1, 0));
        assertThat(newAlerts()).as("held until the watermark passes it").isEmpty();

        h.processBroadcastElement(RuleTexts.INACTIVE_7, 0);
        h.processWatermark(at(2, 0));
        assertThat(newAlerts()).containsExactly("acct-a PAYMENT_FAILED RAISED HIGH inactive-7 2026-03-02T12:00:00Z");
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        h.processWatermark(at(7, 10));
        assertThat(newAlerts()).containsExactly("acct-a INACTIVITY RAISED MEDIUM inactive-7 2026-03-08T09:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aShorterDeadlineReplansTheTimersOfSilentAccounts(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        login("acct-silent", at(0, 9));
        login("acct-active", at(4, 9));
        h.processWatermark(at(5, 0));
        assertThat(h.numEventTimeTimers()).isEqualTo(2); // the 14-day deadlines

        h.processBroadcastElement(RuleTexts.INACTIVE_7, 0);
        h.processWatermark(at(7, 10));
        assertThat(newAlerts()).containsExactly("acct-silent INACTIVITY RAISED MEDIUM inactive-7 2026-03-08T09:00:00Z");
        h.processWatermark(at(11, 10));
        assertThat(newAlerts()).containsExactly("acct-active INACTIVITY RAISED MEDIUM inactive-7 2026-03-12T09:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void enablingASignalArmsTheTimersItNeeds(String backend) throws Exception {
        open(Rules.parse("version: no-inactivity\nsignals: {inactivity: {enabled: false}}\n", "test"), backend, null);
        login("acct-silent", at(0, 9));
        assertThat(h.numEventTimeTimers()).isEqualTo(1); // the health score's next day close, not a deadline

        h.processBroadcastElement("version: with-inactivity\n", 0);
        assertThat(h.numEventTimeTimers()).isEqualTo(1);
        h.processWatermark(at(20, 0));
        assertThat(newAlerts()).containsExactly("acct-silent INACTIVITY RAISED MEDIUM with-inactivity 2026-03-15T09:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void theRulesInForceSurviveARestoreAndOverrideTheRulesItStartsWith(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        h.processBroadcastElement(RuleTexts.V2, 0);
        failed("acct-a", at(1, 12));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        open(Rules.defaults(), backend, snapshot);
        failed("acct-a", at(2, 12));
        failed("acct-b", at(2, 13));
        assertThat(newAlerts()).containsExactly(
                "acct-a PAYMENT_FAILED UPDATED CRITICAL v2 2026-03-03T12:00:00Z",
                "acct-b PAYMENT_FAILED RAISED MEDIUM v2 2026-03-03T13:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void theRulesInputNeverMovesEventTime(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        login("acct-a", at(0, 9));
        h.processBroadcastWatermark(Long.MAX_VALUE);
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.ACTIVE);
        h.processBroadcastElement(RuleTexts.V3, 0);
        assertThat(newAlerts()).as("no timer fired at the end of time").isEmpty();
        assertThat(h.numEventTimeTimers()).isEqualTo(1);

        // Event time follows the events alone, though the rules input sent no watermark of its own.
        h.processWatermark(at(14, 10));
        assertThat(newAlerts()).containsExactly("acct-a INACTIVITY RAISED MEDIUM v3 2026-03-15T09:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aRestoredSetThisVersionCannotReadGivesWayToTheRulesItStartsWith(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        // Only a bug upstream could send a set that does not build: it is ignored.
        h.processBroadcastElement("version: [unclosed", 0);
        assertThat(h.getBroadcastState(ChurnDetector.RULES).get(ChurnDetector.CURRENT_RULES)).isNull();
        // A set an older version accepted, as a restore would bring it.
        h.getBroadcastState(ChurnDetector.RULES).put(ChurnDetector.CURRENT_RULES, "version: old\nsignals: {retired: {}}\n");
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        open(Rules.parse("version: started-with\n", "test"), backend, snapshot);
        failed("acct-a", at(1, 12));
        assertThat(newAlerts()).containsExactly("acct-a PAYMENT_FAILED RAISED HIGH started-with 2026-03-02T12:00:00Z");
    }

    /** The playbook decisions since the start, as "account action disposition ruleVersion issuedAt". */
    private List<String> decisions() {
        var out = h.getSideOutput(ChurnDetector.COMMANDS);
        List<String> lines = new ArrayList<>();
        if (out == null) return lines;
        for (var r : out) {
            io.churnradar.commands.RetentionCommand c = r.getValue();
            if (!c.getReason().getPlaybook().equals("dunning")) continue;
            lines.add(String.join(" ", c.getAccountId(), c.getAction(), c.getDisposition().name(), c.getRuleVersion(),
                    c.getIssuedAt().toString()));
        }
        return lines;
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void aPlaybookSwitchedOffWhileItRunsSendsNoMoreSteps(String backend) throws Exception {
        open(Rules.defaults(), backend, null);
        String acc = io.churnradar.testing.ControlGroups.treated("acct", "dunning");
        failed(acc, at(1, 12));
        h.processWatermark(at(5, 0));
        assertThat(decisions()).containsExactlyInAnyOrder(
                acc + " SEND_DUNNING_EMAIL SEND default-1 2026-03-02T12:00:00Z",
                acc + " RETRY_PAYMENT SEND default-1 2026-03-02T12:00:00Z",
                acc + " SEND_DUNNING_EMAIL SEND default-1 2026-03-05T12:00:00Z",
                acc + " RETRY_PAYMENT SEND default-1 2026-03-05T12:00:00Z");
        h.processBroadcastElement("version: no-dunning\nplaybooks:\n  dunning: {enabled: false}\n", 0);
        h.processWatermark(at(20, 0));
        assertThat(decisions()).as("the day-7 steps are not sent under the new rules").hasSize(4);
    }
}
