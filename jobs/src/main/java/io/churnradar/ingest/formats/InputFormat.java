package io.churnradar.ingest.formats;

import io.churnradar.ingest.EventType;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How the payloads of one input (a Kafka topic, a backtest file) are written; docs/inputs.md maps each. */
public enum InputFormat {
    /** Our Avro single-object encoding on Kafka; our JSON Lines in files. */
    CHURN_RADAR("churn-radar"),
    /** Our events as JSON, the fields of the backtest's JSON Lines. */
    JSON("json"),
    /** Confluent wire format: magic byte 0, 4-byte schema id, Avro body; the schema from a registry. */
    AVRO_CONFLUENT("avro-confluent"),
    STRIPE("stripe"),
    SEGMENT("segment"),
    ZENDESK("zendesk"),
    SURVEY("survey");

    public final String id;

    InputFormat(String id) {
        this.id = id;
    }

    public static InputFormat fromId(String id) {
        for (InputFormat f : values()) {
            if (f.id.equals(id)) return f;
        }
        return null;
    }

    public static String ids() {
        return Arrays.stream(values()).map(f -> f.id).collect(Collectors.joining(", "));
    }

    /** Whether payloads name their own event type; otherwise the input's topic decides (churn-radar on Kafka). */
    public boolean needsTopicType() {
        return this == CHURN_RADAR;
    }

    /** Whether the format maps calls to accounts through users linked by earlier calls (Segment's group). */
    public boolean learnsUserLinks() {
        return this == SEGMENT;
    }

    /**
     * The mapper for payloads of this format. {@code topicType} is the event type of the topic they
     * come from (null for a file, or a topic of no single type).
     */
    public PayloadMapper mapper(EventType topicType, FormatOptions options) {
        return switch (this) {
            case CHURN_RADAR -> new ChurnRadarAvroMapper(topicType);
            case JSON -> new ChurnRadarJsonMapper(topicType);
            case STRIPE -> new StripeMapper(options.stripeAccountMetadataKey);
            case SEGMENT -> new SegmentMapper(options.segmentAccountFields);
            case ZENDESK -> new ZendeskMapper(options.zendeskAccountFields);
            case AVRO_CONFLUENT -> new ConfluentAvroMapper(options.schemaRegistryUrl, options.localSchemas);
            case SURVEY -> new SurveyMapper(options.surveyAccountKey);
        };
    }
}
