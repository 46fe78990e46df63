package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import io.churnradar.StreamingJob;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;

/**
 * docker/k8s/flink-deployment.yaml against the Flink Kubernetes Operator's FlinkDeployment CRD, as the API
 * server would check it with strict field validation (no cluster runs here).
 *
 * <p>The CRD comes from org.apache.flink:flink-kubernetes-operator-api (META-INF/fabric8/), the newest
 * release Maven Central serves to this build (jobs/pom.xml). That release predates Flink 2, so its
 * {@code flinkVersion} enum ends at v1_20: the one error this test accepts is that enum rejecting v2_2,
 * which the operator's CRD lists from release 1.13 on.
 */
class KubernetesManifestTest {
    private static final Path MANIFEST = DeployFiles.ROOT.resolve("docker/k8s/flink-deployment.yaml");
    private static final String CRD = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";

    private final JsonNode manifest = onlyDocument();

    @Test
    void manifestFollowsTheOperatorsCrd() {
        Set<ValidationMessage> errors = DeployFiles.validate(URI.create("classpath:" + CRD), schema(), manifest);

        assertThat(errors).allSatisfy(e -> {
            assertThat(e.getInstanceLocation().toString()).isEqualTo("$.spec.flinkVersion");
            assertThat(e.getType()).isEqualTo("enum");
        });
    }

    @Test
    void theCrdCatchesMistakes() {
        ObjectNode broken = manifest.deepCopy();
        ((ObjectNode) broken.path("spec").path("job")).put("upgradeMode", "snapshot");
        ((ObjectNode) broken.path("spec").path("job")).put("jarUri", "local:///x.jar");
        ((ObjectNode) broken.path("spec").path("jobManager")).put("replicas", "two");

        Set<String> where = DeployFiles.validate(URI.create("classpath:" + CRD), schema(), broken).stream()
                .map(e -> e.getInstanceLocation() + " " + e.getType()).collect(Collectors.toSet());

        assertThat(where).contains("$.spec.job.upgradeMode enum", "$.spec.job additionalProperties",
                "$.spec.jobManager.replicas type");
    }

    @Test
    void applicationModeWithSavepointUpgradesAndHighAvailability() {
        assertThat(manifest.path("kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode spec = manifest.path("spec");
        // Application mode: the deployment carries its job.
        assertThat(spec.path("job").path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/churn-radar.jar");
        assertThat(DeployFiles.read(DeployFiles.ROOT.resolve("docker/Dockerfile")))
                .contains(" /opt/flink/usrlib/churn-radar.jar");
        assertThat(spec.path("job").path("entryClass").asText()).isEqualTo(StreamingJob.class.getName());
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        JsonNode flink = spec.path("flinkConfiguration");
        assertThat(flink.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(flink.path("high-availability.storageDir").asText()).isNotBlank();
        assertThat(flink.path("execution.checkpointing.savepoint-dir").asText()).isNotBlank();
        assertThat(spec.path("jobManager").path("replicas").asInt()).isGreaterThan(1);
        // The image's Flink: v2_2 for 2.2.x.
        String[] version = EnvironmentInformation.getVersion().split("\\.");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v" + version[0] + "_" + version[1]);
    }

    @Test
    void flinkConfigurationUsesFlink22KeysAndAgreesWithTheImagesConfig() {
        Set<String> known = ProductionConfigTest.currentKeys();
        Configuration image = GlobalConfiguration.loadConfiguration(ProductionConfigTest.PRODUCTION.toString());
        Map<String, String> imageValues = image.toMap();
        List<String> keys = new ArrayList<>();
        manifest.path("spec").path("flinkConfiguration").fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            if (!key.startsWith("metrics.reporter.prom.")) assertThat(known).as("Flink 2.2 option " + key).contains(key);
            String value = manifest.path("spec").path("flinkConfiguration").path(key).asText();
            // The same key set twice must not say two things, except where the object store replaces /checkpoints.
            if (imageValues.containsKey(key) && !value.startsWith("s3://")) {
                assertThat(value).as(key).isEqualTo(imageValues.get(key));
            }
        }
    }

    /** Keys of the image's config.yaml that the manifest sets another way (resources, job parallelism) or must not set. */
    private static final Set<String> CLUSTER_LOCAL = Set.of("jobmanager.rpc.address", "jobmanager.bind-host", "taskmanager.bind-host",
            "rest.address", "rest.bind-address", "jobmanager.memory.process.size", "taskmanager.memory.process.size",
            "parallelism.default");

    @Test
    void everyJobLevelKeyOfTheImagesConfigIsRepeatedAsTheOperatorNeverReadsThatFile() throws Exception {
        // The operator mounts its own configuration over /opt/flink/conf: a key left out runs at Flink's default
        // (tolerable-failed-checkpoints 0, generic types allowed, ...), without a word.
        Configuration image = GlobalConfiguration.loadConfiguration(ProductionConfigTest.PRODUCTION.toString());
        JsonNode flink = manifest.path("spec").path("flinkConfiguration");
        List<String> missing = image.toMap().keySet().stream().filter(k -> !CLUSTER_LOCAL.contains(k) && !flink.has(k)).sorted().toList();
        assertThat(missing).as("keys of flink-conf/config.yaml missing from the manifest's flinkConfiguration").isEmpty();
        // Its logging too: the operator's log4j-console.properties would replace the shipped one.
        assertThat(manifest.path("spec").path("logConfiguration").path("log4j-console.properties").asText())
                .isEqualTo(java.nio.file.Files.readString(DeployFiles.ROOT.resolve("flink-conf/log4j-console.properties")));
        // s3:// folders need Flink's S3 plugin in the image, in a folder of its own under plugins/.
        if (flink.toString().contains("s3://")) {
            assertThat(DeployFiles.read(DeployFiles.ROOT.resolve("docker/Dockerfile")))
                    .containsPattern("cp /opt/flink/opt/flink-s3-fs-(presto|hadoop)-\\*\\.jar /opt/flink/plugins/s3-fs-\\w+/");
        }
    }

    private JsonNode onlyDocument() {
        List<JsonNode> docs = DeployFiles.yamlDocuments(MANIFEST);
        assertThat(docs).hasSize(1);
        return docs.get(0);
    }

    /**
     * The CRD's schema for the manifest's apiVersion, closed as Kubernetes closes structural schemas: a field
     * the schema does not name is an error under strict field validation (kubectl's default), where plain JSON
     * Schema would let it pass.
     */
    private JsonNode schema() {
        JsonNode crd = DeployFiles.yamlResource(CRD);
        String version = manifest.path("apiVersion").asText().substring("flink.apache.org/".length());
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.path("name").asText().equals(version)) {
                JsonNode schema = v.at("/schema/openAPIV3Schema").deepCopy();
                // apiVersion, kind and metadata belong to the API server, which accepts them on every object.
                close(schema.path("properties").path("spec"));
                return schema;
            }
        }
        throw new AssertionError("the CRD serves no " + version);
    }

    private static void close(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) close(it.next().getValue());
        } else if (node.isArray()) {
            node.forEach(KubernetesManifestTest::close);
        }
    }
}
