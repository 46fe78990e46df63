package io.churnradar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The job's YAML config: defaults, overrides, and every bad key named with what is allowed. */
class JobSettingsTest {
    private static final String SOURCE = "flink-conf/churn-radar.yaml";

    private static ConfigException invalid(String yaml) {
        try {
            JobSettings.parse(yaml, SOURCE);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(SOURCE + ": ");
            return e;
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void aSectionWithoutValuesIsOneWithoutKeys() {
        // `formats:` with nothing under it, as a file whose options were commented out leaves it.
        JobSettings s = JobSettings.parse("kafka:\nformats:\ninputs:\n", SOURCE);
        assertThat(s).usingRecursiveComparison().isEqualTo(JobSettings.defaults());
    }

    @Test
    void anEmptyFileGivesTheDefaults() {
        JobSettings s = JobSettings.parse("", SOURCE);
        JobSettings d = JobSettings.defaults();
        assertThat(s).usingRecursiveComparison().isEqualTo(d);
        assertThat(s.transactionTimeout).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.startingOffsets).isEqualTo(JobSettings.StartingOffsets.COMMITTED);
        assertThat(s.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.eventOrdering).isEqualTo(io.churnradar.detect.EventOrdering.defaults().withDayCloseSpread(Duration.ofMinutes(5)));
        assertThat(s.stateTtl).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void valuesOverrideTheDefaults() {
        JobSettings s = JobSettings.parse("""
                kafka:
                  bootstrapServers: broker-1:9093,broker-2:9093
                  startingOffsets: earliest
                  bounded: true
                  transactionTimeout: 10m
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                topics: {alerts: cs.alerts}
                eventTime: {maxOutOfOrderness: 30s, idleness: 5m}
                state: {ttl: 30d}
                """, SOURCE);
        assertThat(s.bootstrapServers).isEqualTo("broker-1:9093,broker-2:9093");
        assertThat(s.startingOffsets).isEqualTo(JobSettings.StartingOffsets.EARLIEST);
        assertThat(s.bounded).isTrue();
        assertThat(s.transactionTimeout).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.kafkaProperties).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(s.alertsTopic).isEqualTo("cs.alerts");
        assertThat(s.loginTopic).isEqualTo("events.login");
        assertThat(s.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idleness).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.stateTtl).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void deliveryGuaranteeIsExactlyOnceUnlessSetAndOnlyTakesTheTwoValues() {
        assertThat(JobSettings.parse("", SOURCE).delivery).isEqualTo(JobSettings.Delivery.EXACTLY_ONCE);
        assertThat(JobSettings.parse("delivery: {guarantee: exactly-once}", SOURCE).delivery).isEqualTo(JobSettings.Delivery.EXACTLY_ONCE);
        assertThat(JobSettings.parse("delivery: {guarantee: at-least-once}", SOURCE).delivery).isEqualTo(JobSettings.Delivery.AT_LEAST_ONCE);
        assertThat(invalid("delivery: {guarantee: AT_LEAST_ONCE}").errors()).containsExactly(
                "delivery.guarantee: 'AT_LEAST_ONCE' is not allowed; allowed values: exactly-once, at-least-once");
        assertThat(invalid("delivery: {guarantee: at-most-once}").getMessage()).startsWith(SOURCE + ": ")
                .contains("delivery.guarantee: 'at-most-once' is not allowed; allowed values: exactly-once, at-least-once");
        assertThat(invalid("delivery: {semantics: at-least-once}").errors()).containsExactly(
                "delivery.semantics: unknown key; allowed keys here: guarantee");
    }

    @Test
    void aTransactionTimeoutAboveFifteenMinutesIsRejected() {
        assertThat(JobSettings.parse("kafka: {transactionTimeout: 15m}", SOURCE).transactionTimeout)
                .isEqualTo(Duration.ofMinutes(15));
        assertThat(invalid("kafka: {transactionTimeout: 16m}").errors())
                .containsExactly("kafka.transactionTimeout: must be between 10s and 15m, got 16m");
        assertThat(invalid("kafka: {transactionTimeout: 1h}").errors())
                .containsExactly("kafka.transactionTimeout: must be between 10s and 15m, got 1h");
        assertThat(invalid("kafka: {transactionTimeout: 5s}").errors())
                .containsExactly("kafka.transactionTimeout: must be between 10s and 15m, got 5s");
    }

    @Test
    void aDurationIsReadAsFlinkReadsOneButWithItsUnit() {
        // Flink's spellings, as on the launcher's command line; a number alone (Flink's milliseconds) is refused.
        assertThat(JobSettings.parse("kafka: {transactionTimeout: 12 min}", SOURCE).transactionTimeout).isEqualTo(Duration.ofMinutes(12));
        assertThat(invalid("kafka: {transactionTimeout: 15}").errors()).containsExactly(
                "kafka.transactionTimeout: expected a duration such as 500ms, 30s, 10m, 2h or 7d (with its unit), got '15'");
        assertThat(invalid("kafka: {transactionTimeout: soon}").errors()).containsExactly(
                "kafka.transactionTimeout: expected a duration such as 500ms, 30s, 10m, 2h or 7d, got 'soon'");
    }

    @Test
    void otherRangesAreChecked() {
        assertThat(invalid("""
                eventTime: {maxOutOfOrderness: 8d, idleness: 2d}
                state: {ttl: 1h}
                """).errors()).containsExactlyInAnyOrder(
                "eventTime.maxOutOfOrderness: must be between 0s and 7d, got 8d",
                "eventTime.idleness: must be between 0s and 1d, got 2d",
                "state.ttl: must be between 30d and 3650d, got 1h");
    }

    @Test
    void theEventOrderIsSetAndABadValueIsNamedWithTheAllowedOnes() {
        JobSettings s = JobSettings.parse("eventTime: {order: arrival, maxBufferedPerAccount: 50}", SOURCE);
        assertThat(s.eventOrdering.order()).isEqualTo(io.churnradar.detect.EventOrdering.Order.ARRIVAL);
        assertThat(s.eventOrdering.maxBufferedPerAccount()).isEqualTo(50);
        assertThat(JobSettings.parse("eventTime: {order: event-time}", SOURCE).eventOrdering)
                .isEqualTo(io.churnradar.detect.EventOrdering.defaults().withDayCloseSpread(Duration.ofMinutes(5)));
        assertThat(JobSettings.parse("eventTime: {dayCloseSpread: 0s}", SOURCE).eventOrdering.dayCloseSpread()).isZero();
        assertThat(JobSettings.parse("eventTime: {dayCloseSpread: 90s}", SOURCE).eventOrdering.dayCloseSpread())
                .isEqualTo(Duration.ofSeconds(90));
        io.churnradar.config.ConfigException e = invalid("eventTime: {order: sorted, maxBufferedPerAccount: 0, dayCloseSpread: 2h}");
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "eventTime.order: 'sorted' is not allowed; allowed values: event-time, arrival",
                "eventTime.maxBufferedPerAccount: must be between 1 and 100000, got 0",
                "eventTime.dayCloseSpread: must be between 0s and 1h, got 2h");
        assertThat(e.getMessage()).contains(SOURCE);
    }

    @Test
    void theAccountCacheIsSetAndABadValueIsNamed() {
        assertThat(JobSettings.parse("eventTime: {order: event-time}", SOURCE).eventOrdering.accountCache())
                .isEqualTo(io.churnradar.detect.EventOrdering.DEFAULT_ACCOUNT_CACHE);
        JobSettings s = JobSettings.parse("state: {accountCache: 0}\neventTime: {dayCloseSpread: 90s}", SOURCE);
        assertThat(s.eventOrdering.accountCache()).isZero();
        assertThat(s.eventOrdering.dayCloseSpread()).isEqualTo(Duration.ofSeconds(90)); // the other knobs kept
        assertThat(invalid("state: {accountCache: -1}").errors()).containsExactly("state.accountCache: must be between 0 and 1000000, got -1");
    }

    @Test
    void theLimitsOnHostileInputAreSetAndChecked() {
        JobSettings s = JobSettings.parse("eventTime: {maxAheadOfNow: 2h}\nlimits: {maxRecordBytes: 65536}", SOURCE);
        assertThat(s.maxAheadOfNow).isEqualTo(Duration.ofHours(2));
        assertThat(s.maxRecordBytes).isEqualTo(65536);
        assertThat(invalid("""
                eventTime: {maxAheadOfNow: 0s}
                limits: {maxRecordBytes: 10000000, maxLineBytes: 5}
                """).errors()).containsExactlyInAnyOrder(
                "eventTime.maxAheadOfNow: must be between 1m and 30d, got 0s",
                "limits.maxRecordBytes: must be between 1024 and 786432, got 10000000",
                "limits.maxLineBytes: unknown key; allowed keys here: maxRecordBytes");
    }

    @Test
    void unknownKeysAndBadEnumsAreNamed() {
        ConfigException e = invalid("""
                kafka: {startingOffsets: newest, bootstrap: x}
                topics: {logins: events.login}
                """);
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "kafka.bootstrap: unknown key; allowed keys here: bootstrapServers, bounded, groupId, properties, "
                        + "startingOffsets, transactionTimeout, transactionalIdPrefix",
                "kafka.startingOffsets: 'newest' is not allowed; allowed values: EARLIEST, LATEST, COMMITTED",
                "topics.logins: unknown key; allowed keys here: accountHealth, alerts, commands, commandsAudit, deadLetter, feedback, "
                        + "kpis, login, payment, playbookOutcomes, rules, rulesStatus, subscription, supportTicket, usage");
    }

    @Test
    void kafkaPropertiesMustBeAMapping() {
        assertThat(invalid("kafka: {properties: [a, b]}").errors())
                .containsExactly("kafka.properties: expected a mapping of Kafka client properties");
    }

    @Test
    void blankTextIsRejected() {
        assertThatThrownBy(() -> JobSettings.parse("topics: {alerts: ''}", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("topics.alerts: expected a non-empty text value");
    }
}
