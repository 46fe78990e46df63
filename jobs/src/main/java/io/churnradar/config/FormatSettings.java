package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** The {@code inputs} (topic to format) and {@code formats} (options of each format) sections of the job settings. */
final class FormatSettings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FormatSettings() {}

    /** Topic to format, each format checked against the allowed ones. */
    static Map<String, InputFormat> inputs(JsonNode node, YamlTree y) {
        Map<String, InputFormat> out = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) return out;
        if (!node.isObject()) {
            y.error("inputs", "expected a mapping of topic to format (" + InputFormat.ids() + ")");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            InputFormat f = InputFormat.fromId(e.getValue().asText());
            if (!e.getValue().isTextual() || f == null) {
                y.error("inputs." + e.getKey(), "'" + e.getValue().asText() + "' is not a format; allowed: " + InputFormat.ids());
            } else {
                out.put(e.getKey(), f);
            }
        }
        return out;
    }

    /** The options of each format; {@code base} is the folder that relative file names start from. */
    static FormatOptions options(JsonNode root, YamlTree y, Path base) {
        FormatOptions o = FormatOptions.defaults();
        y.onlyKeys(root, "formats", Set.of("avro-confluent", "stripe", "segment", "zendesk", "survey"));

        JsonNode avro = YamlTree.child(root, "avro-confluent");
        y.onlyKeys(avro, "formats.avro-confluent", Set.of("schemaRegistryUrl", "schemasFile"));
        o.schemaRegistryUrl = y.text(YamlTree.child(avro, "schemaRegistryUrl"), "formats.avro-confluent.schemaRegistryUrl", null);
        if (o.schemaRegistryUrl != null && !o.schemaRegistryUrl.matches("https?://.+")) {
            y.error("formats.avro-confluent.schemaRegistryUrl", "expected an http:// or https:// URL, got '" + o.schemaRegistryUrl + "'");
        }
        String schemasFile = y.text(YamlTree.child(avro, "schemasFile"), "formats.avro-confluent.schemasFile", null);
        if (schemasFile != null) {
            o.localSchemas.putAll(localSchemas(base == null ? Path.of(schemasFile) : base.resolve(schemasFile), y));
        }

        JsonNode stripe = YamlTree.child(root, "stripe");
        y.onlyKeys(stripe, "formats.stripe", Set.of("accountMetadataKey"));
        o.stripeAccountMetadataKey = y.text(YamlTree.child(stripe, "accountMetadataKey"), "formats.stripe.accountMetadataKey", null);

        JsonNode segment = YamlTree.child(root, "segment");
        y.onlyKeys(segment, "formats.segment", Set.of("accountFields"));
        o.segmentAccountFields = paths(YamlTree.child(segment, "accountFields"), "formats.segment.accountFields", y, o.segmentAccountFields);

        JsonNode zendesk = YamlTree.child(root, "zendesk");
        y.onlyKeys(zendesk, "formats.zendesk", Set.of("accountFields"));
        o.zendeskAccountFields = paths(YamlTree.child(zendesk, "accountFields"), "formats.zendesk.accountFields", y, o.zendeskAccountFields);

        JsonNode survey = YamlTree.child(root, "survey");
        y.onlyKeys(survey, "formats.survey", Set.of("accountKey"));
        o.surveyAccountKey = y.text(YamlTree.child(survey, "accountKey"), "formats.survey.accountKey", o.surveyAccountKey);
        return o;
    }

    private static List<String> paths(JsonNode node, String path, YamlTree y, List<String> dflt) {
        if (node.isMissingNode() || node.isNull()) return dflt;
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode p : node) {
                if (!p.isTextual() || !p.asText().matches("[^.\\s]+(\\.[^.\\s]+)*")) {
                    y.error(path, "expected field paths such as context.groupId, got '" + p.asText() + "'");
                    return dflt;
                }
                out.add(p.asText());
            }
        }
        if (out.isEmpty()) {
            y.error(path, "expected a non-empty list of field paths such as [context.groupId, groupId]");
            return dflt;
        }
        return List.copyOf(out);
    }

    /**
     * The local id-to-schema file: a JSON or YAML mapping of schema id to the schema itself, or to an
     * .avsc file (relative to the mapping's folder).
     */
    private static Map<Integer, String> localSchemas(Path file, YamlTree y) {
        String key = "formats.avro-confluent.schemasFile";
        Map<Integer, String> out = new LinkedHashMap<>();
        JsonNode root;
        try {
            root = YamlTree.readFile(file);
        } catch (ConfigException e) {
            y.error(key, file + ": " + String.join("; ", e.errors()));
            return out;
        }
        if (!root.isObject()) {
            y.error(key, file + ": expected a mapping of schema id to schema (or to an .avsc file)");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                y.error(key, file + ": '" + e.getKey() + "' is not a schema id (a whole number)");
                continue;
            }
            try {
                String text = e.getValue().isTextual()
                        ? Files.readString(file.toAbsolutePath().getParent().resolve(e.getValue().asText()))
                        : JSON.writeValueAsString(e.getValue());
                new Schema.Parser().parse(text); // a bad schema is a config error now, not a dead letter per record later
                out.put(id, text);
            } catch (IOException | SchemaParseException ex) {
                y.error(key, file + ": schema " + id + ": " + ex.getMessage());
            }
        }
        return out;
    }
}
