package io.churnradar.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.config.ConfigException;
import io.churnradar.config.JobSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code webhooks:} section: routes, inherited retry settings, and errors that name file, key and allowed values. */
class WebhookSettingsTest {
    private static final String FILE = "churn-radar.yaml";

    @Test
    void noEndpointsByDefaultAndInTheShippedFile() {
        assertThat(JobSettings.defaults().webhooks.enabled()).isFalse();
        JobSettings shipped = JobSettings.load(Path.of("..").toAbsolutePath().normalize().resolve("flink-conf/churn-radar.yaml"));
        assertThat(shipped.webhooks.enabled()).isFalse();
        assertThat(shipped.webhooks.retry).usingRecursiveComparison().isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void routesEachActionToTheEndpointThatListsItElseToTheDefaultOne() {
        WebhookSettings w = parse("""
                webhooks:
                  timeout: 5s
                  maxAttempts: 7
                  endpoints:
                    slack-cs:
                      urlEnv: SLACK_URL
                      actions: [NOTIFY_SLACK]
                      format: slack
                    hubspot:
                      url: https://api.example.com/hooks/123
                      actions: [UPDATE_CRM, CREATE_CSM_TASK]
                      secretFile: /run/secrets/hubspot
                      maxAttempts: 3
                      maxBackoff: 10s
                    automation:
                      urlFile: /run/secrets/automation-url
                      actions: default
                      secretEnv: AUTOMATION_SECRET
                """);
        assertThat(w.enabled()).isTrue();
        assertThat(w.route("NOTIFY_SLACK").name).isEqualTo("slack-cs");
        assertThat(w.route("UPDATE_CRM").name).isEqualTo("hubspot");
        assertThat(w.route("OFFER_SAVE").name).isEqualTo("automation");
        assertThat(w.route("SOME_FUTURE_ACTION").name).as("actions new to this code go to the default too").isEqualTo("automation");

        WebhookEndpoint slack = w.endpoints.get("slack-cs");
        assertThat(slack.format).isEqualTo(PayloadFormat.SLACK);
        assertThat(slack.secret).isNull();
        assertThat(slack.url.kind).isEqualTo(ValueSource.Kind.ENV);
        assertThat(slack.retry.timeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(slack.retry.maxAttempts).isEqualTo(7);

        WebhookEndpoint hubspot = w.endpoints.get("hubspot");
        assertThat(hubspot.format).isEqualTo(PayloadFormat.JSON);
        assertThat(hubspot.secret.kind).isEqualTo(ValueSource.Kind.FILE);
        assertThat(hubspot.retry.maxAttempts).isEqualTo(3);
        assertThat(hubspot.retry.maxBackoff).isEqualTo(Duration.ofSeconds(10));
        assertThat(hubspot.retry.initialBackoff).isEqualTo(RetryPolicy.DEFAULT.initialBackoff);
    }

    @Test
    void withoutADefaultEndpointOtherActionsGoNowhere() {
        WebhookSettings w = parse("""
                webhooks:
                  endpoints:
                    slack:
                      url: https://hooks.example.com/services/T0/B0/XYZ
                      actions: [NOTIFY_SLACK]
                """);
        assertThat(w.route("OFFER_SAVE")).isNull();
    }

    @Test
    void neitherUrlsNorSecretSourcesAppearInToString() {
        WebhookSettings w = parse("""
                webhooks:
                  endpoints:
                    slack:
                      url: https://hooks.example.com/services/T0/B0/XYZsecret
                      actions: [NOTIFY_SLACK]
                      secretEnv: SLACK_SIGNING
                """);
        assertThat(w.toString()).contains("slack", "url from inline", "secret from env SLACK_SIGNING")
                .doesNotContain("XYZsecret", "hooks.example.com");
    }

    @Test
    void everyProblemNamesTheFileTheKeyAndTheAllowedValues() {
        assertThatThrownBy(() -> parse("""
                webhooks:
                  maxBackoff: 100ms
                  initialBackoff: 1s
                  retries: 3
                  endpoints:
                    slack:
                      url: ftp://hooks.example.com/x
                      actions: [NOTIFY_SLACK, SEND_FAX]
                      format: xml
                      secretEnv: A
                      secretFile: /b
                    crm:
                      url: https://crm.example.com/hook
                      urlEnv: CRM_URL
                      actions: [NOTIFY_SLACK]
                      timeout: forever
                      maxAttempts: 0
                    "bad name!":
                      actions: [default]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(FILE + ": ")
                .hasMessageContaining("webhooks.retries: unknown key; allowed keys here: endpoints, initialBackoff, maxAttempts, maxBackoff, timeout")
                .hasMessageContaining("webhooks.maxBackoff: must be at least initialBackoff (1s), got 100ms")
                .hasMessageContaining("webhooks.endpoints.slack.url: expected an http:// or https:// URL, got scheme 'ftp'")
                .hasMessageContaining("webhooks.endpoints.slack.actions: 'SEND_FAX' is not allowed; allowed values: default, SEND_DUNNING_EMAIL,")
                .hasMessageContaining("webhooks.endpoints.slack.format: 'xml' is not allowed; allowed values: slack, json")
                .hasMessageContaining("webhooks.endpoints.slack: give the signing secret by secretEnv or by secretFile, not both")
                .hasMessageContaining("webhooks.endpoints.crm: needs exactly one of url, urlEnv (an environment variable holding the URL) or urlFile")
                .hasMessageContaining("webhooks.endpoints.crm.actions: 'NOTIFY_SLACK' already goes to endpoint 'slack'; an action goes to one endpoint")
                .hasMessageContaining("webhooks.endpoints.crm.timeout: expected a duration such as 500ms, 30s, 10m, 2h or 7d, got 'forever'")
                .hasMessageContaining("webhooks.endpoints.crm.maxAttempts: must be between 1 and 50, got 0")
                .hasMessageContaining("webhooks.endpoints.bad name!: an endpoint name is 1 to 64 letters")
                .hasMessageContaining("webhooks.endpoints.bad name!: needs exactly one of url")
                .hasMessageNotContaining("ftp://hooks.example.com/x");
    }

    @Test
    void anEndpointNeedsItsActions() {
        assertThatThrownBy(() -> parse("""
                webhooks:
                  endpoints:
                    crm:
                      url: https://crm.example.com/hook
                """))
                .hasMessageContaining("webhooks.endpoints.crm.actions: required: a list of the actions this endpoint receives; "
                        + "allowed values: default, SEND_DUNNING_EMAIL");
    }

    private static WebhookSettings parse(String yaml) {
        return JobSettings.parse(yaml, FILE).webhooks;
    }
}
