package io.churnradar.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.play.Action;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented bodies (docs/webhooks.md), the signature scheme and the backoff. */
class WebhookPayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void genericJsonBodyHasTheDocumentedFieldsInOrder() throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("offerCode", "SAVE20");
        params.put("campaign", "spring-save");
        RetentionCommand c = Commands.of("cmd-1", "acme-42", Action.OFFER_SAVE, params);

        String body = new String(PayloadFormat.JSON.render(c), StandardCharsets.UTF_8);

        assertThat(body).isEqualTo("{\"version\":1,\"commandId\":\"cmd-1\",\"accountId\":\"acme-42\",\"action\":\"OFFER_SAVE\","
                + "\"customerFacing\":true,\"params\":{\"campaign\":\"spring-save\",\"offerCode\":\"SAVE20\"},"
                + "\"reason\":{\"alertId\":\"alert-acme-42\",\"signal\":\"PAYMENT_FAILED\",\"severity\":\"HIGH\","
                + "\"playbook\":\"dunning\",\"step\":1},\"issuedAt\":\"2025-03-14T09:26:53.589Z\",\"ruleVersion\":\"rules-7\"}");
    }

    @Test
    void slackBodyIsAReadableOneLinerWithBlocksAndEscapedData() throws Exception {
        RetentionCommand c = Commands.of("cmd-2", "<acme & co>", Action.NOTIFY_SLACK, Map.of("message", "Call them <today>"));

        JsonNode body = JSON.readTree(PayloadFormat.SLACK.render(c));

        assertThat(body.get("text").asText()).isEqualTo("Churn risk: account &lt;acme &amp; co&gt;, signal PAYMENT_FAILED (HIGH), "
                + "playbook dunning step 2. Call them &lt;today&gt;");
        assertThat(body.get("blocks")).isNotEmpty();
        assertThat(body.get("blocks").get(0).get("text").get("text").asText()).contains("&lt;acme &amp; co&gt;");
        assertThat(body.toString()).doesNotContain("http");
    }

    @Test
    void signatureVerifiesOnlyWithTheSecretTheBodyAndARecentTimestamp() {
        byte[] secret = "whsec_test".getBytes(StandardCharsets.UTF_8);
        byte[] body = "{\"commandId\":\"cmd-1\"}".getBytes(StandardCharsets.UTF_8);
        String header = Signature.header(secret, 1_700_000_000L, body);

        assertThat(header).isEqualTo("t=1700000000,v1=" + hmacHex(secret, "1700000000." + new String(body, StandardCharsets.UTF_8)));
        assertThat(Signature.verify(secret, header, body, 1_700_000_100L, Duration.ofMinutes(5))).isTrue();
        assertThat(Signature.verify(secret, header, "{}".getBytes(StandardCharsets.UTF_8), 1_700_000_100L, Duration.ofMinutes(5))).isFalse();
        assertThat(Signature.verify("other".getBytes(StandardCharsets.UTF_8), header, body, 1_700_000_100L, Duration.ofMinutes(5))).isFalse();
        assertThat(Signature.verify(secret, header, body, 1_700_001_000L, Duration.ofMinutes(5))).as("too old").isFalse();
        assertThat(Signature.verify(secret, null, body, 1_700_000_000L, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void backoffDoublesUpToTheMaximumKeepsHalfAtLeastAndHonoursRetryAfterUpToTheMaximum() {
        RetryPolicy p = new RetryPolicy(Duration.ofSeconds(10), 8, Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(p.delay(1, null, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.delay(1, null, 0.999999)).isEqualTo(Duration.ofMillis(999));
        assertThat(p.delay(3, null, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(6, null, 0.0)).as("capped at maxBackoff").isEqualTo(Duration.ofSeconds(15));
        assertThat(p.delay(40, null, 0.0)).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.delay(1, Duration.ofSeconds(20), 0.0)).isEqualTo(Duration.ofSeconds(20));
        assertThat(p.delay(1, Duration.ofHours(1), 0.0)).isEqualTo(Duration.ofSeconds(30));
    }

    private static String hmacHex(byte[] secret, String text) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
