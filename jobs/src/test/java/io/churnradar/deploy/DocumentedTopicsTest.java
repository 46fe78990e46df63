package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.JobSettings;
import io.churnradar.ingest.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README and docs/rules.md say what the code and docker/compose.yaml do about topics and event types. */
class DocumentedTopicsTest {
    private final String readme = DeployFiles.read(DeployFiles.ROOT.resolve("README.md"));
    private final JobSettings defaults = JobSettings.defaults();
    private final Map<String, String> composeTopics =
            ComposeFileTest.createdTopics(DeployFiles.yaml(DeployFiles.ROOT.resolve("docker/compose.yaml")));

    @Test
    void readmesTopicTableListsEveryTopicTheJobUses() {
        TreeSet<String> used = new TreeSet<>(defaults.eventTopics());
        used.addAll(defaults.outputTopics());
        used.add(defaults.rulesTopic);

        assertThat(topicTable().keySet()).containsExactlyInAnyOrderElementsOf(used);
    }

    @Test
    void readmesCompactedTopicsAreCreatedCompacted() {
        topicTable().forEach((topic, firstCell) -> assertThat(composeTopics.get(topic).contains("cleanup.policy=compact"))
                .as(topic + " compacted").isEqualTo(firstCell.contains("compacted")));
    }

    @Test
    void readmeNamesAnEventClassForEachEventTopic() {
        String eventRow = tableRows().stream().filter(r -> r.contains("`" + defaults.loginTopic + "`")).findFirst().orElseThrow();
        String values = eventRow.split("\\|")[3];
        for (EventType type : EventType.values()) {
            assertThat(eventRow).contains("`" + defaults.topicOf(type) + "`");
            assertThat(values).contains("`" + avroName(type) + "`");
        }
    }

    @Test
    void readmesBacktestEventTypesAreTheParsersOnes() {
        Matcher m = Pattern.compile("with a `type` \\(([^)]*)\\)").matcher(readme);
        assertThat(m.find()).isTrue();
        List<String> documented = Arrays.stream(m.group(1).split(",")).map(s -> s.trim().replace("`", "")).toList();

        assertThat(documented).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(EventType.values()).map(t -> t.jsonName).toList());
    }

    @Test
    void rulesDocsPartitionsAreTheComposeFiles() {
        String rulesDoc = DeployFiles.read(DeployFiles.ROOT.resolve("docs/rules.md"));
        for (String topic : List.of(defaults.rulesTopic, defaults.rulesStatusTopic)) {
            Matcher m = Pattern.compile("--create --topic " + Pattern.quote(topic) + " (--partitions \\d+)").matcher(rulesDoc);
            assertThat(m.find()).as(topic + " in docs/rules.md").isTrue();
            assertThat(composeTopics.get(topic)).containsPattern(Pattern.quote(m.group(1)) + "\\b");
            assertThat(rulesDoc).containsPattern("\\| `" + Pattern.quote(topic) + "` \\|[^\\n]*one partition");
        }
    }

    /** SupportTicketEvent for SUPPORT_TICKET: the Avro record of each event type. */
    private static String avroName(EventType type) {
        return Arrays.stream(type.name().split("_"))
                .map(w -> w.charAt(0) + w.substring(1).toLowerCase()).collect(Collectors.joining()) + "Event";
    }

    /** Topic to its row's first cell, from the README's "Topics and formats" table. */
    private Map<String, String> topicTable() {
        Map<String, String> topics = new LinkedHashMap<>();
        for (String row : tableRows()) {
            String first = row.split("\\|")[1];
            Matcher m = Pattern.compile("`([\\w.-]+)`").matcher(first);
            while (m.find()) topics.put(m.group(1), first);
        }
        return topics;
    }

    private List<String> tableRows() {
        String section = readme.substring(readme.indexOf("## Topics and formats"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        List<String> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| `")) rows.add(line);
        }
        assertThat(rows).isNotEmpty();
        return rows;
    }
}
