package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.config.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets in {@code kafka.properties} as references: the settings keep the reference, and Kafka's own
 * configuration (as every client of the job parses it) resolves {@code ${env:VAR}} from the
 * environment and {@code ${file:/path}} from the file's content.
 */
class ClientSecretsTest {
    @Test
    void environmentAndFileReferencesAreResolvedByTheKafkaClientOnly(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("sasl.password"), "s3cret-from-file\n");
        // PATH is set wherever the tests run; its value stands for a secret given in the environment.
        String env = System.getenv("PATH");
        JobSettings s = JobSettings.parse("""
                kafka:
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: PLAIN
                    client.id: ${env:PATH}
                    ssl.truststore.password: ${file:%s}
                """.formatted(secret), "test settings");

        assertThat(s.kafkaProperties).containsEntry("client.id", "${env:PATH}")
                .containsEntry("ssl.truststore.password", "${file:" + secret + "}");
        Map<String, String> client = s.clientProperties();
        assertThat(client).containsEntry("config.providers", "env,file");

        AdminClientConfig parsed = new AdminClientConfig(Map.copyOf(client));
        assertThat(parsed.getString("client.id")).isEqualTo(env);
        assertThat(parsed.getPassword("ssl.truststore.password").value()).isEqualTo("s3cret-from-file");
        assertThat(parsed.getPassword("ssl.truststore.password").toString()).isEqualTo("[hidden]");
    }

    @Test
    void theOffsetLookUpsAdminClientResolvesTheSecretsToo(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("sasl.password"), "s3cret-from-file\n");
        JobSettings s = JobSettings.parse("""
                kafka:
                  properties:
                    security.protocol: SASL_SSL
                    sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${file:%s}";
                    max.poll.records: 100
                """.formatted(secret), "test settings");
        java.util.Properties p = io.churnradar.ingest.KafkaEventTimeSource.adminProperties("localhost:9092", s.clientProperties(), "g");
        assertThat(p).doesNotContainKey("max.poll.records"); // a consumer's setting: an admin client would warn of it
        AdminClientConfig parsed = new AdminClientConfig(p);
        assertThat(parsed.getPassword("sasl.jaas.config").value()).contains("password=\"s3cret-from-file\"");
    }

    @Test
    void propertiesWithoutReferencesPassAsTheyAre() {
        JobSettings s = JobSettings.parse("kafka:\n  properties:\n    security.protocol: SSL\n", "test settings");
        assertThat(s.clientProperties()).isEqualTo(Map.of("security.protocol", "SSL"));
    }

    @Test
    void providersTheUserConfiguredAreKept() {
        JobSettings s = JobSettings.parse("""
                kafka:
                  properties:
                    config.providers: vault
                    config.providers.vault.class: com.example.VaultProvider
                    sasl.jaas.config: ${env:JAAS}
                """, "test settings");
        assertThat(s.clientProperties()).containsEntry("config.providers", "vault,env")
                .containsEntry("config.providers.vault.class", "com.example.VaultProvider");
    }

    @Test
    void aMissingSecretFileIsNamedWithoutAValue(@TempDir Path dir) {
        JobSettings s = JobSettings.parse("kafka:\n  properties:\n    ssl.key.password: ${file:" + dir.resolve("absent") + "}\n",
                "test settings");
        assertThatThrownBy(() -> new AdminClientConfig(Map.copyOf(s.clientProperties())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("absent").toString());
    }
}
