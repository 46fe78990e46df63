package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.ConfigException;
import io.churnradar.config.Rules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The backtest over a generated history with planted churn patterns, on a real MiniCluster with RocksDB. */
class BacktestEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = cluster();

    @TempDir
    Path tmp;

    /** One MiniCluster per test class: one TaskManager with two slots, RocksDB, no Kryo. */
    static MiniClusterExtension cluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(flinkConfig())
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    static Configuration flinkConfig() {
        Configuration c = new Configuration();
        c.setString("pipeline.generic-types", "false");
        c.setString("state.backend.type", "rocksdb");
        return c;
    }

    private BacktestSummary run(Path events, Path out, int parallelism) throws Exception {
        return BacktestJob.run(events, out, Rules.defaults(), Duration.ofMinutes(10), parallelism, flinkConfig());
    }

    @Test
    void detectsEveryPlantedPatternAtItsExactTime() throws Exception {
        PlantedHistory h = new PlantedHistory();
        Path file = write(tmp.resolve("events.jsonl"), h.lines);
        Path out = tmp.resolve("out");

        BacktestSummary s = run(file, out, 2);

        assertThat(alertKeys(out)).containsExactly(
                "2026-03-04T12:00:00Z acct-pay PAYMENT_FAILED RAISED HIGH",
                "2026-03-10T12:00:00Z acct-pay PAYMENT_FAILED UPDATED CRITICAL",
                "2026-03-12T14:00:00Z acct-tickets TICKET_SPIKE RAISED MEDIUM",
                "2026-03-13T12:00:00Z acct-pay PAYMENT_FAILED RESOLVED CRITICAL",
                "2026-03-14T00:00:00Z acct-tickets TICKET_SPIKE RESOLVED MEDIUM",
                "2026-03-24T00:00:00Z acct-drop USAGE_DROP RAISED HIGH",
                "2026-03-24T09:00:00Z acct-inactive INACTIVITY RAISED MEDIUM",
                "2026-03-31T09:00:00Z acct-inactive INACTIVITY RESOLVED MEDIUM");

        JsonNode drop = alerts(out).stream().filter(a -> a.get("signal").asText().equals("USAGE_DROP")).findFirst().orElseThrow();
        assertThat(drop.get("evidence").get("cur").asText()).isEqualTo("40");
        assertThat(drop.get("evidence").get("prev").asText()).isEqualTo("70");
        assertThat(drop.get("evidence").get("curWindow").asText()).isEqualTo("2026-03-17..2026-03-23");
        assertThat(drop.get("explanation").asText()).contains("42.9%");
        assertThat(drop.get("ruleVersion").asText()).isEqualTo("default-1");

        List<JsonNode> pay = alerts(out).stream().filter(a -> a.get("signal").asText().equals("PAYMENT_FAILED")).toList();
        assertThat(pay).extracting(a -> a.get("alertId").asText()).containsOnly(pay.get(0).get("alertId").asText());

        List<String> dead = Files.readAllLines(out.resolve("dead-letter.jsonl"));
        assertThat(dead).hasSize(h.garbage);
        JsonNode first = JSON.readTree(dead.get(0));
        assertThat(first.get("original").asText()).isEqualTo("this is not json");
        assertThat(first.get("reason").asText()).startsWith("not valid JSON");
        assertThat(first.get("file").asText()).endsWith("events.jsonl");
        assertThat(first.get("line").asLong()).isEqualTo(h.lines.indexOf("this is not json") + 1);
        assertThat(dead).anySatisfy(l -> assertThat(l).contains("unknown type 'teleport'"));
        assertThat(dead).anySatisfy(l -> assertThat(l).contains("quantity must be a finite number >= 0"));
        assertThat(dead).anySatisfy(l -> assertThat(l).contains("accountId is missing"));

        assertThat(s.linesRead).isEqualTo(h.lines.size());
        assertThat(s.blankLines).isEqualTo(h.blank);
        assertThat(s.deadLettered).isEqualTo(h.garbage);
        assertThat(s.duplicates).isEqualTo(h.duplicates);
        assertThat(s.lateEvents).isEqualTo(1);
        assertThat(s.linesRead).isEqualTo(s.eventsAccepted + s.duplicates + s.deadLettered + s.blankLines);
        assertThat(s.alertsTotal).isEqualTo(8);
        assertThat(s.alerts.get("PAYMENT_FAILED")).containsEntry("RAISED", 1L).containsEntry("UPDATED", 1L).containsEntry("RESOLVED", 1L);
        assertThat(s.firstEventTime).isEqualTo("2026-03-01T09:00:00Z");
        assertThat(s.lastEventTime).isEqualTo("2026-04-10T10:00:00Z");

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("linesRead").asLong()).isEqualTo(s.linesRead);
        assertThat(summary.get("alerts").get("USAGE_DROP").get("RAISED").asLong()).isEqualTo(1);
    }

    @Test
    void sameInputGivesTheSameAlertsAtAnyParallelism() throws Exception {
        Path file = write(tmp.resolve("events.jsonl"), new PlantedHistory().lines);
        run(file, tmp.resolve("p1"), 1);
        run(file, tmp.resolve("p2"), 2);
        assertThat(Files.readString(tmp.resolve("p2/alerts.jsonl"))).isEqualTo(Files.readString(tmp.resolve("p1/alerts.jsonl")));
        assertThat(Files.readString(tmp.resolve("p2/summary.json"))).isEqualTo(Files.readString(tmp.resolve("p1/summary.json")));
    }

    @Test
    void readsAFolderOfPlainAndGzippedFilesInNameOrder() throws Exception {
        List<String> lines = new PlantedHistory().lines;
        int third = lines.size() / 3;
        int half = lines.size() / 2;
        Path dir = Files.createDirectories(tmp.resolve("in"));
        // A name Flink's file source would skip by default (a leading underscore), read first, by name.
        write(dir.resolve("_part-0.jsonl"), lines.subList(0, third));
        write(dir.resolve("part-1.jsonl"), lines.subList(third, half));
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("part-2.jsonl.gz")))) {
            gz.write((String.join("\n", lines.subList(half, lines.size())) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(dir.resolve("notes.txt"), "not an input file");

        run(dir, tmp.resolve("folder"), 2);
        run(write(tmp.resolve("one.jsonl"), lines), tmp.resolve("single"), 2);

        assertThat(Files.readString(tmp.resolve("folder/alerts.jsonl"))).isEqualTo(Files.readString(tmp.resolve("single/alerts.jsonl")));
        JsonNode folder = JSON.readTree(tmp.resolve("folder/summary.json").toFile());
        JsonNode single = JSON.readTree(tmp.resolve("single/summary.json").toFile());
        assertThat(folder.get("files").asInt()).isEqualTo(3);
        for (String count : List.of("linesRead", "eventsAccepted", "lateEvents", "duplicates")) {
            assertThat(folder.get(count)).as(count).isEqualTo(single.get(count));
        }
    }

    @Test
    void aMissingInputIsAClearError() {
        assertThatThrownBy(() -> run(tmp.resolve("nope.jsonl"), tmp.resolve("out"), 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.jsonl: no such file or folder");
    }

    @Test
    void theResultsFolderHoldsThisRunsResultsAloneAndKeepsOtherFiles() throws Exception {
        Path file = write(tmp.resolve("events.jsonl"), new PlantedHistory().lines);
        Path out = Files.createDirectories(tmp.resolve("out"));
        // What an earlier run with a model and --report left, and a file of the analyst's own.
        Files.writeString(out.resolve("scores.jsonl"), "{\"accountId\":\"acct-earlier\",\"at\":\"2020-01-01T00:00:00Z\",\"probability\":0.9}\n");
        Files.writeString(out.resolve("report.html"), "<html>an earlier run</html>");
        Files.writeString(out.resolve("alerts.jsonl"), "{\"accountId\":\"acct-earlier\"}\n");
        Files.writeString(out.resolve("notes.md"), "the analyst's");

        BacktestSummary s = run(file, out, 2);

        assertThat(s.earlierResultsRemoved).as("named: the earlier results this run did not write again")
                .containsExactly("scores.jsonl", "report.html");
        List<String> expected = new ArrayList<>(s.resultFiles);
        expected.add("notes.md");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(Files.readString(out.resolve("alerts.jsonl"))).doesNotContain("acct-earlier");
        assertThat(Files.readString(out.resolve("notes.md"))).isEqualTo("the analyst's");
        assertThat(JSON.readTree(out.resolve("summary.json").toFile()).has("earlierResultsRemoved")).isFalse();
    }

    @Test
    void aRunThatItsInputStopsLeavesTheEarlierResultsWhole() throws Exception {
        List<String> lines = new PlantedHistory().lines;
        Path out = tmp.resolve("out");
        run(write(tmp.resolve("events.jsonl"), lines), out, 2);
        Map<String, String> earlier = contents(out);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream w = new GZIPOutputStream(gz)) {
            w.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = gz.toByteArray();
        Path cut = Files.write(tmp.resolve("copied-while-written.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> run(cut, out, 2)).hasStackTraceContaining("cannot be read as gzip");

        assertThat(contents(out)).isEqualTo(earlier);
    }

    /** Each file of {@code dir} by name, with its text. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> byName = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) byName.put(f.getFileName().toString(), Files.readString(f));
        }
        return byName;
    }

    private static Path write(Path file, List<String> lines) throws IOException {
        return Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static List<JsonNode> alerts(Path out) throws IOException {
        List<JsonNode> result = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("alerts.jsonl"))) result.add(JSON.readTree(l));
        return result;
    }

    private static List<String> alertKeys(Path out) throws IOException {
        return alerts(out).stream()
                .map(a -> String.join(" ", a.get("detectedAt").asText(), a.get("accountId").asText(), a.get("signal").asText(),
                        a.get("status").asText(), a.get("severity").asText()))
                .toList();
    }
}
