package io.churnradar.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.junit.jupiter.api.Test;

/** The local cluster's settings that the launcher's own output depends on, read by Flink's own loader. */
class LocalConfigTest {
    @Test
    void accumulatorsReachTheLauncherOftenEnoughForABacktestsProgressEveryFiveSeconds() {
        Configuration conf = GlobalConfiguration.loadConfiguration(ChurnRadarHome.root().resolve("flink-conf/local").toString());
        // The backtest prints its progress every 5 s from the reader's accumulators, which ride on the heartbeat.
        assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL)).isLessThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT)).isGreaterThan(conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL));
    }
}
