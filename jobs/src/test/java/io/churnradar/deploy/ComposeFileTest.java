package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.container.entrypoint.StandaloneApplicationClusterConfigurationParserFactory;
import org.apache.flink.runtime.entrypoint.EntrypointClusterConfiguration;
import org.apache.flink.runtime.entrypoint.FlinkParseException;
import org.apache.flink.runtime.entrypoint.parser.CommandLineParser;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml and docker/Dockerfile, checked without a Docker engine: against the Compose
 * Specification's JSON schema, with Flink's own parser of the JobManager's command line, and against the job's
 * settings.
 */
class ComposeFileTest {
    private static final Path COMPOSE = DeployFiles.ROOT.resolve("docker/compose.yaml");
    private static final Path DOCKERFILE = DeployFiles.ROOT.resolve("docker/Dockerfile");
    /**
     * The Compose Specification's JSON schema (compose-spec/compose-spec, Apache-2.0), as the npm package named
     * by compose.schema.package in jobs/pom.xml ships it; the build unpacks it here.
     */
    private static final Path COMPOSE_SCHEMA =
            DeployFiles.ROOT.resolve("jobs/target/compose-schema/package/schemas/compose.schema.json");
    /** What the official image's standalone-job.sh puts before the container's arguments. */
    private static final List<String> ENTRY_POINT_PREFIX = List.of("--configDir", "/opt/flink/conf");

    private final JsonNode compose = DeployFiles.yaml(COMPOSE);

    @Test
    void composeFileFollowsTheComposeSpecification() throws Exception {
        JsonNode schema = DeployFiles.JSON.readTree(COMPOSE_SCHEMA.toFile());
        assertThat(schema.path("title").asText()).isEqualTo("Compose Specification");

        assertThat(DeployFiles.validate(COMPOSE_SCHEMA.toUri(), schema, compose)).isEmpty();
    }

    @Test
    void theSchemaCatchesMistakes() throws Exception {
        // A schema that accepted anything would prove nothing: a misspelt key and a wrong condition fail.
        JsonNode schema = DeployFiles.JSON.readTree(COMPOSE_SCHEMA.toFile());
        JsonNode broken = compose.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("services").path("jobmanager"))
                .put("comand", "standalone-job");
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("services").path("jobmanager")
                .path("depends_on").path("topics")).put("condition", "service_done");

        assertThat(DeployFiles.validate(COMPOSE_SCHEMA.toUri(), schema, broken)).extracting(m -> m.getInstanceLocation().toString())
                .contains("$.services.jobmanager", "$.services.jobmanager.depends_on.topics.condition");
    }

    @Test
    void flinksParserHandsTheSettingsFileToTheJob() throws Exception {
        EntrypointClusterConfiguration parsed = parseAsTheImageDoes(jobManagerCommand());

        assertThat(parsed.getConfigDir()).isEqualTo("/opt/flink/conf");
        assertThat(jobClassName(parsed)).isEqualTo(StreamingJob.class.getName());
        assertThat(parsed.getArgs()).containsExactly(
                "--config", "/opt/churn-radar/churn-radar.yaml", "--rules", "/opt/churn-radar/rules.yaml");
    }

    @Test
    void withoutTheSeparatorFlinkTakesTheJobsConfigOptionForItsOwn() throws Exception {
        // The bug the `--` fixes: commons-cli accepts `--config` as an abbreviation of `--configDir`, so the
        // job's own option never reached it and the job fell back to localhost:9092.
        List<String> withoutSeparator = new ArrayList<>(jobManagerCommand());
        withoutSeparator.remove("--");

        EntrypointClusterConfiguration parsed = parseAsTheImageDoes(withoutSeparator);

        // Flink consumed `--config FILE` as a second --configDir; the job is left with its rules only.
        assertThat(parsed.getArgs()).containsExactly("--rules", "/opt/churn-radar/rules.yaml");
    }

    @Test
    void theJobReadsTheImagesSettingsFile() {
        List<String> args = Arrays.asList(parseAsTheImageDoesUnchecked(jobManagerCommand()).getArgs());
        Map<String, Path> copies = dockerfileCopies();
        Path settingsFile = copies.get(args.get(args.indexOf("--config") + 1));
        Path rulesFile = copies.get(args.get(args.indexOf("--rules") + 1));

        assertThat(settingsFile).isEqualTo(DeployFiles.ROOT.resolve("docker/churn-radar.yaml"));
        assertThat(rulesFile).isEqualTo(DeployFiles.ROOT.resolve("jobs/src/main/resources/rules/default-rules.yaml"));
        // The Kafka service's listener for other containers, not the host's localhost:9092.
        assertThat(JobSettings.load(settingsFile).bootstrapServers).isEqualTo("kafka:19092");
        assertThat(compose.at("/services/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("DOCKER://kafka:19092");
    }

    @Test
    void composeCreatesEveryTopicTheJobUses() {
        JobSettings settings = JobSettings.load(DeployFiles.ROOT.resolve("docker/churn-radar.yaml"));
        TreeSet<String> used = new TreeSet<>();
        used.addAll(settings.eventTopics());
        used.addAll(settings.outputTopics());
        used.add(settings.rulesTopic);

        Map<String, String> created = createdTopics(compose);

        assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(used);
        // docs/rules.md: rule sets and their answers have one order each.
        assertThat(created.get(settings.rulesTopic)).contains("--partitions 1").contains("cleanup.policy=compact");
        assertThat(created.get(settings.rulesStatusTopic)).contains("--partitions 1");
        assertThat(created.get(settings.accountHealthTopic)).contains("cleanup.policy=compact");
        // Auto-creation off: a topic missing from the list must fail loudly, not appear with defaults.
        assertThat(compose.at("/services/kafka/environment/KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText())
                .isEqualTo("false");
    }

    @Test
    void theJobStartsOnlyAfterItsTopicsExist() {
        assertThat(compose.at("/services/kafka/healthcheck/test").isMissingNode()).isFalse();
        assertThat(compose.at("/services/topics/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
        assertThat(compose.at("/services/jobmanager/depends_on/topics/condition").asText())
                .isEqualTo("service_completed_successfully");
        assertThat(compose.at("/services/jobmanager/healthcheck/test").isMissingNode()).isFalse();
        assertThat(compose.at("/services/taskmanager/depends_on/jobmanager/condition").asText())
                .isEqualTo("service_healthy");
    }

    @Test
    void checkpointsGoToAFolderTheImageGivesToFlink() {
        String dockerfile = DeployFiles.read(DOCKERFILE);
        // The image runs as `flink`; a named volume takes the owner of the folder it is mounted on.
        assertThat(dockerfile).containsPattern("(?m)^RUN mkdir -p /checkpoints\\S* && chown -R flink:flink /checkpoints$");
        assertThat(dockerfile.lastIndexOf("USER flink")).isGreaterThan(dockerfile.indexOf("chown -R flink:flink"));
        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(compose.at("/services/" + service + "/volumes/0").asText()).isEqualTo("checkpoints:/checkpoints");
            assertThat(compose.at("/services/" + service + "/environment/FLINK_PROPERTIES").asText())
                    .contains("execution.checkpointing.dir: file:///checkpoints\n");
        }
    }

    private List<String> jobManagerCommand() {
        JsonNode command = compose.at("/services/jobmanager/command");
        assertThat(command.isArray()).as("exec form, so that no shell splits it").isTrue();
        List<String> args = new ArrayList<>();
        command.forEach(a -> args.add(a.asText()));
        assertThat(args.get(0)).isEqualTo("standalone-job");
        return args;
    }

    /** docker-entrypoint.sh drops `standalone-job`; standalone-job.sh prepends the configuration folder. */
    private static EntrypointClusterConfiguration parseAsTheImageDoes(List<String> command) throws FlinkParseException {
        String[] args = Stream.concat(ENTRY_POINT_PREFIX.stream(), command.stream().skip(1)).toArray(String[]::new);
        return new CommandLineParser<>(new StandaloneApplicationClusterConfigurationParserFactory()).parse(args);
    }

    private static EntrypointClusterConfiguration parseAsTheImageDoesUnchecked(List<String> command) {
        try {
            return parseAsTheImageDoes(command);
        } catch (FlinkParseException e) {
            throw new AssertionError(e);
        }
    }

    /** StandaloneApplicationClusterConfiguration is package-private in Flink; its getter is read reflectively. */
    private static String jobClassName(EntrypointClusterConfiguration parsed) throws Exception {
        Method getter = parsed.getClass().getDeclaredMethod("getJobClassName");
        getter.setAccessible(true);
        return (String) getter.invoke(parsed);
    }

    /** Image path to repository path, from the Dockerfile's COPY lines. */
    private static Map<String, Path> dockerfileCopies() {
        Map<String, Path> copies = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^COPY (?:--\\S+ )*(\\S+) (\\S+)$").matcher(DeployFiles.read(DOCKERFILE));
        while (m.find()) copies.put(m.group(2), DeployFiles.ROOT.resolve(m.group(1)));
        return copies;
    }

    /** Topic name to the options it is created with, from the `topics` service's script. */
    static Map<String, String> createdTopics(JsonNode compose) {
        String script = compose.at("/services/topics/command/0").asText();
        Map<String, String> topics = new LinkedHashMap<>();
        Matcher loop = Pattern.compile("(?m)^\\s*for t in ([^;]+); do\\n\\s*create (.*)$").matcher(script);
        while (loop.find()) {
            for (String t : loop.group(1).trim().split("\\s+")) topics.put(t, loop.group(2).replace("$$t", t));
        }
        Matcher single = Pattern.compile("(?m)^\\s*create --topic ([\\w.-]+)(.*)$").matcher(script);
        while (single.find()) topics.put(single.group(1), "--topic " + single.group(1) + single.group(2));
        assertThat(topics).as("topics found in the script").isNotEmpty();
        return topics.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue,
                (a, b) -> { throw new AssertionError("created twice"); }, LinkedHashMap::new));
    }
}
