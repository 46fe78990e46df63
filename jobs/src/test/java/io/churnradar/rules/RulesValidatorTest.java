package io.churnradar.rules;

import static io.churnradar.rules.RuleTexts.BAD;
import static io.churnradar.rules.RuleTexts.BAD_PATHS;
import static io.churnradar.rules.RuleTexts.V2;
import static io.churnradar.rules.RuleTexts.V2_AGAIN;
import static io.churnradar.rules.RuleTexts.V3;
import static io.churnradar.rules.RuleTexts.paths;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AvroEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The validating operator in Flink's operator harness: what it applies, what it rejects and why, what it remembers. */
class RulesValidatorTest {
    private static final String TOPIC = "churn.rules";

    private OneInputStreamOperatorTestHarness<RulesUpdate, String> h;
    private long offset;
    private int statusesTaken;
    private int appliedTaken;

    private OneInputStreamOperatorTestHarness<RulesUpdate, String> open(Rules initial, OperatorSubtaskState restore) throws Exception {
        return open(new RulesValidator(initial), restore);
    }

    private OneInputStreamOperatorTestHarness<RulesUpdate, String> open(RulesValidator validator, OperatorSubtaskState restore)
            throws Exception {
        h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(validator));
        if (restore != null) h.initializeState(restore);
        h.open();
        h.setProcessingTime(1_000);
        statusesTaken = 0;
        appliedTaken = 0;
        return h;
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) h.close();
    }

    private RulesStatus publish(String text) throws Exception {
        RulesUpdate u = RulesUpdate.of(text, TOPIC, 0, offset++);
        u.key = "rules";
        u.timestamp = 500L;
        return send(u);
    }

    private RulesStatus send(RulesUpdate u) throws Exception {
        h.processElement(u, 0);
        List<RulesStatus> statuses = new ArrayList<>();
        for (StreamRecord<RulesStatus> r : h.getSideOutput(RulesValidator.STATUS)) statuses.add(r.getValue());
        assertThat(statuses).as("one status per rule set").hasSize(statusesTaken + 1);
        return statuses.get(statusesTaken++);
    }

    /** The texts passed on to the detector since the previous call. */
    private List<String> applied() {
        List<String> all = h.extractOutputValues();
        List<String> fresh = all.subList(appliedTaken, all.size());
        appliedTaken = all.size();
        return List.copyOf(fresh);
    }

    @Test
    void aValidSetIsAppliedAndAcknowledgedWithItsVersion() throws Exception {
        open(Rules.defaults(), null);
        RulesStatus s = publish(V2);
        assertThat(s.getStatus()).isEqualTo(RulesDecision.APPLIED);
        assertThat(s.getVersion()).isEqualTo("v2");
        assertThat(s.getErrors()).isEmpty();
        assertThat(s.getPreviousVersion()).isEqualTo("default-1");
        assertThat(s.getActiveVersion()).isEqualTo("v2");
        assertThat(s.getSourceTopic()).isEqualTo(TOPIC);
        assertThat(s.getSourcePartition()).isZero();
        assertThat(s.getSourceOffset()).isZero();
        assertThat(s.getSourceKey()).isEqualTo("rules");
        assertThat(s.getPublishedAt()).isEqualTo(Instant.ofEpochMilli(500));
        assertThat(s.getReceivedAt()).isEqualTo(Instant.ofEpochMilli(1_000));
        assertThat(applied()).containsExactly(V2);
    }

    @Test
    void anInvalidSetIsRejectedWithEveryErrorAndChangesNothing() throws Exception {
        open(Rules.defaults(), null);
        publish(V2);
        applied();

        RulesStatus s = publish(BAD);
        assertThat(s.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(s.getVersion()).isEqualTo("v-bad");
        assertThat(paths(s.getErrors())).containsExactlyInAnyOrderElementsOf(BAD_PATHS);
        assertThat(s.getErrors()).anySatisfy(e -> assertThat(e).startsWith("signals.paymentFailed.severity: 'SEVERE' is not allowed"));
        assertThat(s.getActiveVersion()).as("the previous set stays").isEqualTo("v2");
        assertThat(s.getPreviousVersion()).isEqualTo("v2");
        assertThat(applied()).isEmpty();

        assertThat(publish(V3).getPreviousVersion()).isEqualTo("v2");
        assertThat(applied()).containsExactly(V3);
    }

    @Test
    void aDeduplicationWindowLongerThanTheJobsStateTtlIsRejectedWithWhatIsAllowed() throws Exception {
        open(new RulesValidator(Rules.defaults(), Duration.ofDays(30)), null);
        RulesStatus s = publish("version: dedup-60\ndedup:\n  windowDays: 60\n");
        assertThat(s.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(s.getVersion()).isEqualTo("dedup-60");
        assertThat(s.getErrors()).singleElement().asString()
                .startsWith("dedup.windowDays: 60 days is longer than state.ttl (30d, the job's configuration)")
                .contains("allowed: 1 to 30 with this state.ttl, or a state.ttl of at least 60d");
        assertThat(s.getActiveVersion()).isEqualTo(Rules.defaults().version);
        assertThat(applied()).isEmpty();

        RulesStatus within = publish("version: dedup-30\ndedup:\n  windowDays: 30\n");
        assertThat(within.getStatus()).as("a window as long as the TTL").isEqualTo(RulesDecision.APPLIED);
        assertThat(applied()).hasSize(1);
    }

    @Test
    void aSetWithoutAVersionOrNotYamlIsRejectedAndKeyedByTheRecordKey() throws Exception {
        open(Rules.defaults(), null);
        RulesStatus noVersion = publish("signals: {inactivity: {days: 3}}");
        assertThat(noVersion.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(noVersion.getVersion()).isNull();
        assertThat(paths(noVersion.getErrors())).containsExactly("version");
        assertThat(RulesStatusSerializer.key(noVersion)).isEqualTo("rules");

        RulesStatus notYaml = publish("version: [unclosed");
        assertThat(notYaml.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(notYaml.getErrors()).singleElement().asString().startsWith("not valid YAML");
        assertThat(notYaml.getActiveVersion()).isEqualTo("default-1");
        assertThat(applied()).isEmpty();
    }

    @Test
    void aTombstoneIsRejected() throws Exception {
        open(Rules.defaults(), null);
        RulesUpdate tombstone = RulesUpdate.of(null, TOPIC, 0, 7);
        tombstone.problem = "the record has no value (a tombstone): a rule set cannot be deleted, publish the rules to use instead";
        RulesStatus s = send(tombstone);
        assertThat(s.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(s.getErrors()).singleElement().asString().startsWith("(record): the record has no value (a tombstone)");
        assertThat(s.getSourceOffset()).isEqualTo(7);
        assertThat(applied()).isEmpty();
    }

    @Test
    void theVersionInForceIsAcknowledgedAgainWhenTheRulesAreTheSameAndRejectedWhenTheyDiffer() throws Exception {
        open(Rules.defaults(), null);
        publish(V2);
        applied();

        RulesStatus same = publish(V2_AGAIN);
        assertThat(same.getStatus()).as("same rules, other layout").isEqualTo(RulesDecision.APPLIED);
        assertThat(same.getPreviousVersion()).isEqualTo("v2");
        assertThat(applied()).containsExactly(V2_AGAIN);

        RulesStatus changed = publish("version: v2\nsignals: {paymentFailed: {severity: LOW}}\n");
        assertThat(changed.getStatus()).isEqualTo(RulesDecision.REJECTED);
        assertThat(changed.getErrors()).singleElement().asString()
                .startsWith("version: 'v2' is the version in force, with other rules; a changed rule set needs a new version");
        assertThat(applied()).isEmpty();

        // The rules the job started with count as in force too.
        RulesStatus defaultsChanged = publish("version: v3\n");
        assertThat(defaultsChanged.getStatus()).isEqualTo(RulesDecision.APPLIED);
        RulesStatus backToDefaultsInName = publish("version: default-1\nsignals: {inactivity: {days: 3}}\n");
        assertThat(backToDefaultsInName.getStatus()).as("a version is only checked against the set in force")
                .isEqualTo(RulesDecision.APPLIED);
    }

    @Test
    void theRulesInForceSurviveARestoreWhateverTheJobIsStartedWith() throws Exception {
        open(Rules.defaults(), null);
        publish(V2);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        Rules other = Rules.parse("version: started-with\n", "test");
        open(other, snapshot);
        RulesStatus s = publish("version: v2\nsignals: {paymentFailed: {severity: LOW}}\n");
        assertThat(s.getStatus()).as("v2 is still in force after the restore").isEqualTo(RulesDecision.REJECTED);
        assertThat(s.getActiveVersion()).isEqualTo("v2");
        assertThat(publish(V2_AGAIN).getStatus()).isEqualTo(RulesDecision.APPLIED);

        // Without a checkpoint the job starts from the rules it is given.
        h.close();
        open(other, null);
        assertThat(publish(V3).getPreviousVersion()).isEqualTo("started-with");
    }

    @Test
    void restoredRulesThatOutgrowAShorterStateTtlStayInForceUntilASetWithinItComes() throws Exception {
        open(new RulesValidator(Rules.defaults(), Duration.ofDays(90)), null);
        assertThat(publish("version: dedup-60\ndedup:\n  windowDays: 60\n").getStatus()).isEqualTo(RulesDecision.APPLIED);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        // Restarted with a shorter state.ttl: the detector's own broadcast state holds dedup-60, so the validator keeps it
        // in force too (and warns) rather than answer later sets as if another set ruled.
        RulesValidator restarted = new RulesValidator(Rules.defaults(), Duration.ofDays(30));
        open(restarted, snapshot);
        assertThat(restarted.currentVersion()).isEqualTo("dedup-60");
        RulesStatus within = publish("version: dedup-30\ndedup:\n  windowDays: 30\n");
        assertThat(within.getStatus()).isEqualTo(RulesDecision.APPLIED);
        assertThat(within.getPreviousVersion()).isEqualTo("dedup-60");
    }

    @Test
    void theDeserializerPassesTombstonesAndNonUtf8ValuesOnForRejection() {
        List<RulesUpdate> out = new ArrayList<>();
        Collector<RulesUpdate> collector = new Collector<>() {
            @Override
            public void collect(RulesUpdate record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        RulesUpdateDeserializer d = new RulesUpdateDeserializer();
        d.deserialize(new ConsumerRecord<>(TOPIC, 0, 3, "rules".getBytes(StandardCharsets.UTF_8), V2.getBytes(StandardCharsets.UTF_8)),
                collector);
        d.deserialize(new ConsumerRecord<>(TOPIC, 0, 4, "rules".getBytes(StandardCharsets.UTF_8), null), collector);
        d.deserialize(new ConsumerRecord<>(TOPIC, 0, 5, null, new byte[] {(byte) 0xC3, 0x28}), collector);

        assertThat(out.get(0).text).isEqualTo(V2);
        assertThat(out.get(0).problem).isNull();
        assertThat(out.get(0).key).isEqualTo("rules");
        assertThat(out.get(0).origin()).isEqualTo("churn.rules[0]@3");
        assertThat(out.get(1).text).isNull();
        assertThat(out.get(1).problem).contains("tombstone");
        assertThat(out.get(2).problem).contains("not UTF-8");
        assertThat(out.get(2).key).isNull();
    }

    @Test
    void statusesAreKeyedByVersionAndSingleObjectEncoded() throws Exception {
        open(Rules.defaults(), null);
        RulesStatus s = publish(BAD);
        ProducerRecord<byte[], byte[]> r = RulesStatusSerializer.forTopic("churn.rules-status").serialize(s, null, null);
        assertThat(r.topic()).isEqualTo("churn.rules-status");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("v-bad");
        assertThat(RulesStatus.getDecoder().decode(r.value())).isEqualTo(s);
        assertThat(r.value()).startsWith((byte) 0xC3, (byte) 0x01);
        assertThat(AvroEvents.encode(s)).isEqualTo(r.value());
    }
}
