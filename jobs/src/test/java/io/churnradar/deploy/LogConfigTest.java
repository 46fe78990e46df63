package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.properties.PropertiesConfigurationFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped log configurations (the image's, the launcher's, the tests') drop Flink's false alarm
 * about the Kafka committer's 'pendingCommittables' gauge, and nothing else of that logger.
 */
class LogConfigTest {
    private static final String LOGGER = "org.apache.flink.metrics.MetricGroup";

    @TempDir
    Path logDir;

    @ParameterizedTest
    @ValueSource(strings = {"flink-conf/log4j-console.properties", "local/src/main/resources/log4j2.properties",
            "jobs/src/test/resources/log4j2-test.properties"})
    void onlyThePendingCommittablesCollisionIsDropped(String file) throws Exception {
        System.setProperty("log.file", logDir.resolve("flink.log").toString());
        Path path = DeployFiles.ROOT.resolve(file);
        Configuration config;
        try (InputStream in = Files.newInputStream(path)) {
            config = new PropertiesConfigurationFactory().getConfiguration(new LoggerContext("check"), new ConfigurationSource(in, path.toFile()));
        }
        config.initialize();
        LoggerConfig logger = config.getLoggerConfig(LOGGER);
        assertThat(logger.getName()).isEqualTo(LOGGER);
        assertThat(decide(logger, "Name collision: Group already contains a Metric with the name 'pendingCommittables'. "
                + "Metric will not be reported.[, taskmanager, tm-1, churn-radar, Alerts to churn.alerts: Committer, 0]"))
                .isEqualTo(Filter.Result.DENY);
        assertThat(decide(logger, "Name collision: Group already contains a Metric with the name 'numRecordsIn'."))
                .isEqualTo(Filter.Result.NEUTRAL);
        config.stop();
    }

    private static Filter.Result decide(LoggerConfig logger, String message) {
        LogEvent event = Log4jLogEvent.newBuilder().setLoggerName(LOGGER).setLevel(Level.WARN)
                .setMessage(new SimpleMessage(message)).build();
        return logger.getFilter() == null ? Filter.Result.NEUTRAL : logger.getFilter().filter(event);
    }
}
