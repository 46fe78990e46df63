package io.churnradar.detect;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/** The one detection workflow: timestamped events in, alerts out. Kafka job, backtest and tests all call it. */
public final class ChurnPipeline {
    private ChurnPipeline() {}

    public static SingleOutputStreamOperator<RiskAlert> detect(DataStream<AccountEvent> events, Rules rules, Duration stateTtl) {
        return events
                .keyBy(e -> e.accountId, Types.STRING)
                .process(new ChurnDetector(rules, stateTtl))
                .uid(ChurnDetector.UID)
                .name("Detect churn signals");
    }
}
