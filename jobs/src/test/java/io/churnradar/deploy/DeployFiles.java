package io.churnradar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Reads the shipped deployment files as their tools do, and validates them against JSON schemas. */
final class DeployFiles {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    private DeployFiles() {}

    /**
     * A YAML file as a JSON tree, through SnakeYAML (which resolves anchors, aliases and {@code <<} merges as
     * Docker Compose and kubectl do; Jackson's YAML reader does not resolve aliases).
     */
    static JsonNode yaml(Path file) {
        return JSON.valueToTree(new Yaml(new LoaderOptions()).load(read(file)));
    }

    /** Every document of a multi-document YAML file (kubectl's form). */
    static List<JsonNode> yamlDocuments(Path file) {
        return StreamSupport.stream(new Yaml(new LoaderOptions()).loadAll(read(file)).spliterator(), false)
                .map(d -> (JsonNode) JSON.valueToTree(d))
                .collect(Collectors.toList());
    }

    static JsonNode yamlResource(String name) {
        try (InputStream in = DeployFiles.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("not on the test classpath: " + name);
            return JSON.valueToTree(new Yaml(new LoaderOptions()).load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The validation errors of {@code document} against {@code schema} (draft 7, as both schemas here allow),
     * read from {@code location} (the base of the schema's relative {@code $id}).
     */
    static Set<ValidationMessage> validate(java.net.URI location, JsonNode schema, JsonNode document) {
        JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(com.networknt.schema.SchemaLocation.of(location.toString()), schema);
        return s.validate(document);
    }
}
