package io.churnradar.ingest.formats;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of the formats where companies differ (the job settings' {@code formats} section,
 * documented in flink-conf/churn-radar.yaml and docs/inputs.md); the same for every input of a format.
 */
public final class FormatOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** avro-confluent: base URL of the schema registry's REST API; null when there is none. */
    public String schemaRegistryUrl;
    /** avro-confluent: schemas by id read from the local schemas file, for where no registry runs. */
    public Map<Integer, String> localSchemas = new TreeMap<>();
    /** stripe: the metadata key that holds our account id; null makes the Stripe customer the account. */
    public String stripeAccountMetadataKey;
    /** segment: where a call names its account, tried in order. */
    public List<String> segmentAccountFields = List.of("context.groupId", "groupId");
    /** zendesk: where a ticket event names its account, tried in order. */
    public List<String> zendeskAccountFields = List.of("detail.organization_id");
    /** survey: the hidden field (Typeform) or person property (Delighted) that holds the account id. */
    public String surveyAccountKey = "account_id";

    public static FormatOptions defaults() {
        return new FormatOptions();
    }
}
