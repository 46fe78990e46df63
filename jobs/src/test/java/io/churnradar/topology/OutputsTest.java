package io.churnradar.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/** The outputs of the topology: checked when they are made, each wired once under its uid. */
class OutputsTest {
    @Test
    void checksItsArguments() {
        assertThatThrownBy(() -> Outputs.<String>builder().alerts(null, "Alerts"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Outputs.<String>builder().alerts(new DiscardingSink<>(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Outputs.<String>builder().alerts(new DiscardingSink<>(), "a").alerts(new DiscardingSink<>(), "b"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("wired twice");
        assertThatThrownBy(() -> Outputs.<String>builder().deadLetters(new DiscardingSink<>(), "d").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("alerts");
        assertThatThrownBy(() -> Outputs.<String>builder().alerts(new DiscardingSink<>(), "a").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dead letters");
        assertThatThrownBy(() -> Outputs.Output.of(new DiscardingSink<RiskAlert>(), "a").withParallelism(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyOutputIsWiredOnceUnderItsUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<AccountEvent> events = env.fromData(TypeInformation.of(AccountEvent.class), new AccountEvent());
        DataStream<String> dead = env.fromData("bad");
        ChurnTopology.build(events, dead, null, Rules.defaults(), null, Outputs.<String>builder()
                .alerts(new DiscardingSink<>(), "Alerts")
                .health(new DiscardingSink<>(), "Health")
                .commandsAudit(new DiscardingSink<>(), "Audit")
                .commands(new DiscardingSink<>(), "Commands")
                .outcomeEvents(new DiscardingSink<>(), "Outcomes")
                .deadLetters(new DiscardingSink<>(), "Dead letters")
                .build());
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getStreamNodes()).extracting(StreamNode::getTransformationUID).contains(
                "churn-detector", "alerts-personal-data", "alerts-sink", "account-health-sink", "commands-personal-data",
                "commands-audit-sink", "commands-to-execute",
                "commands-sink", "outcome-events-sink", "dead-letter-sink").doesNotContain("playbook-outcomes-sink");
    }

    @Test
    void ruleUpdatesNeedARulesStatusOutput() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<AccountEvent> events = env.fromData(TypeInformation.of(AccountEvent.class), new AccountEvent());
        Outputs<String> outputs = Outputs.<String>builder()
                .alerts(new DiscardingSink<>(), "Alerts").deadLetters(new DiscardingSink<>(), "Dead letters").build();
        assertThatThrownBy(() -> ChurnTopology.build(events, env.fromData("x"),
                env.fromData(TypeInformation.of(io.churnradar.rules.RulesUpdate.class), new io.churnradar.rules.RulesUpdate()),
                Rules.defaults(), null, outputs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rules-status");
    }
}
