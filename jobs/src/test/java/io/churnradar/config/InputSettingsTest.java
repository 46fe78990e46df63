package io.churnradar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.ingest.formats.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inputs (topic to format) and formats (their options) sections of the job settings. */
class InputSettingsTest {
    private static final String SOURCE = "job.yaml";

    @TempDir
    Path tmp;

    @Test
    void eventTopicsDefaultToOurFormatAndOtherInputsAreReadToo() {
        JobSettings s = JobSettings.parse("""
                inputs:
                  events.payment: json
                  billing.stripe: stripe
                  analytics.segment: segment
                formats:
                  stripe: {accountMetadataKey: account_id}
                  segment: {accountFields: [properties.accountId, context.groupId]}
                  zendesk: {accountFields: [detail.requester_id]}
                  survey: {accountKey: company}
                """, SOURCE);
        assertThat(s.formatOf("events.login")).isEqualTo(InputFormat.CHURN_RADAR);
        assertThat(s.formatOf("events.payment")).isEqualTo(InputFormat.JSON);
        assertThat(s.formatOf("billing.stripe")).isEqualTo(InputFormat.STRIPE);
        assertThat(s.inputTopics()).containsExactly("events.login", "events.usage", "events.support-ticket", "events.payment",
                "events.feedback", "events.subscription", "billing.stripe", "analytics.segment");
        assertThat(s.mappersByTopic()).containsOnlyKeys(s.inputTopics());
        assertThat(s.learnsUserLinks()).isTrue();
        assertThat(s.formatOptions.stripeAccountMetadataKey).isEqualTo("account_id");
        assertThat(s.formatOptions.segmentAccountFields).containsExactly("properties.accountId", "context.groupId");
        assertThat(s.formatOptions.zendeskAccountFields).containsExactly("detail.requester_id");
        assertThat(s.formatOptions.surveyAccountKey).isEqualTo("company");
    }

    @Test
    void withoutInputsTheJobReadsTheSixTopicsAsBefore() {
        JobSettings s = JobSettings.defaults();
        assertThat(s.inputTopics()).isEqualTo(s.eventTopics());
        assertThat(s.learnsUserLinks()).isFalse();
    }

    @Test
    void anUnknownFormatIsNamedWithTheAllowedOnes() {
        assertThatThrownBy(() -> JobSettings.parse("inputs: {billing.stripe: stripe-v2}", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("inputs.billing.stripe: 'stripe-v2' is not a format; allowed: churn-radar, json, avro-confluent,"
                        + " stripe, segment, zendesk, survey");
    }

    @Test
    void ourAvroNeedsOneOfTheEventTopicsAndConfluentAvroASchemaSource() {
        assertThatThrownBy(() -> JobSettings.parse("inputs: {other.topic: churn-radar, cf.topic: avro-confluent}", SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("inputs.other.topic: churn-radar Avro is read by topic")
                .hasMessageContaining("inputs.cf.topic: avro-confluent needs formats.avro-confluent.schemaRegistryUrl or schemasFile");
    }

    @Test
    void badFormatOptionsAreNamedByKey() {
        assertThatThrownBy(() -> JobSettings.parse("""
                formats:
                  stripe: {accountKey: x}
                  segment: {accountFields: []}
                  avro-confluent: {schemaRegistryUrl: "registry:8081"}
                  hubspot: {}
                """, SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("formats.stripe.accountKey: unknown key; allowed keys here: accountMetadataKey")
                .hasMessageContaining("formats.segment.accountFields: expected a non-empty list")
                .hasMessageContaining("formats.avro-confluent.schemaRegistryUrl: expected an http:// or https:// URL")
                .hasMessageContaining("formats.hubspot: unknown key");
    }

    @Test
    void localSchemasComeInlineOrFromAvscFilesBesideTheSettings() throws Exception {
        Files.writeString(tmp.resolve("login.avsc"), """
                {"type":"record","name":"LoginEvent","namespace":"io.churnradar.events","fields":[
                 {"name":"eventId","type":"string"},{"name":"accountId","type":"string"},
                 {"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"}}]}""");
        Files.writeString(tmp.resolve("schemas.yaml"), """
                7: login.avsc
                8: {"type":"record","name":"X","fields":[{"name":"a","type":"int"}]}
                """);
        Path settings = tmp.resolve("job.yaml");
        Files.writeString(settings, """
                inputs: {cf.events: avro-confluent}
                formats: {avro-confluent: {schemasFile: schemas.yaml}}
                """);
        JobSettings s = JobSettings.load(settings);
        assertThat(s.formatOptions.localSchemas).containsOnlyKeys(7, 8);
        assertThat(s.formatOptions.localSchemas.get(7)).contains("LoginEvent");

        Files.writeString(tmp.resolve("schemas.yaml"), "9: {\"type\":\"record\",\"name\":\"Y\"}\nnine: x.avsc\n");
        assertThatThrownBy(() -> JobSettings.load(settings))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("formats.avro-confluent.schemasFile")
                .hasMessageContaining("schema 9:")
                .hasMessageContaining("'nine' is not a schema id");
    }

    @Test
    void backtestInputsNameTheirFormat() {
        assertThat(io.churnradar.backtest.input.BacktestInput.parse("stripe=history/stripe.jsonl").format).isEqualTo(InputFormat.STRIPE);
        assertThat(io.churnradar.backtest.input.BacktestInput.parse("history/events.jsonl").format).isEqualTo(InputFormat.CHURN_RADAR);
        assertThat(io.churnradar.backtest.input.BacktestInput.parse("/data/a=b/events.jsonl").path).isEqualTo("/data/a=b/events.jsonl");
        assertThatThrownBy(() -> io.churnradar.backtest.input.BacktestInput.parse("hubspot=x.jsonl"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'hubspot' is not a format; allowed:");
        assertThat(io.churnradar.backtest.input.BacktestInput.parse("avro-confluent=dump.b64").format).isEqualTo(InputFormat.AVRO_CONFLUENT);
        // In other letters too, rather than a path "Stripe=x.jsonl" that is not there.
        assertThat(io.churnradar.backtest.input.BacktestInput.parse("Stripe=history/stripe.jsonl").format).isEqualTo(InputFormat.STRIPE);
        assertThatThrownBy(() -> io.churnradar.backtest.input.BacktestInput.parse("HubSpot=x.jsonl"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'HubSpot' is not a format; allowed:");
        assertThat(List.of(InputFormat.values())).hasSize(7);
    }

    @Test
    void aTopicMaySetItsOwnIdlenessBesideItsFormat() {
        JobSettings s = JobSettings.parse("""
                eventTime: {idleness: 2m}
                inputs:
                  events.feedback: {idleness: 10s}
                  events.payment: {format: json, idleness: 0s}
                  billing.stripe-events: {format: stripe, idleness: 30s}
                  analytics.segment: segment
                """, SOURCE);
        assertThat(s.idlenessOf("events.feedback")).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.idlenessOf("events.payment")).isEqualTo(Duration.ZERO);
        assertThat(s.idlenessOf("billing.stripe-events")).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idlenessOf("analytics.segment")).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.idlenessOf("events.login")).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.formatOf("events.feedback")).isEqualTo(InputFormat.CHURN_RADAR);
        assertThat(s.formatOf("events.payment")).isEqualTo(InputFormat.JSON);
        assertThat(s.formatOf("billing.stripe-events")).isEqualTo(InputFormat.STRIPE);
        assertThat(s.inputTopics()).contains("billing.stripe-events", "analytics.segment");
    }

    @Test
    void aBadTopicIdlenessIsNamedWithTheFileKeyAndRange() {
        assertThatThrownBy(() -> JobSettings.parse("""
                inputs:
                  events.feedback: {idleness: 2d}
                  events.usage: {idleness: soon}
                  billing.stripe-events: {idleness: 30s}
                  events.login: {format: json, idle: 5s}
                """, SOURCE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("inputs.events.feedback.idleness: must be between 0s and 1d, got 2d")
                .hasMessageContaining("inputs.events.usage.idleness: expected a duration")
                .hasMessageContaining("inputs.billing.stripe-events.format: missing")
                .hasMessageContaining("inputs.events.login");
    }
}
