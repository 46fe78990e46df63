package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest's memory does not depend on its output: with a sort run of a few bytes every output spills
 * run after run to disk, and the result files are byte for byte those of a run that sorted in memory.
 */
class BacktestSpillTest {
    private static final List<String> RESULT_FILES = List.of("alerts.jsonl", "command-audit.jsonl", "commands.jsonl",
            "dead-letter.jsonl", "health.jsonl", "kpis.jsonl", "outcomes.json", "summary.json");
    private static final Pattern MERGED = Pattern.compile("merged ([\\d,]+) sorted runs");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    private long run(Path events, Path out, long runBytes) throws Exception {
        Configuration c = BacktestEndToEndTest.flinkConfig();
        c.set(BacktestJob.SORT_RUN_BYTES, runBytes);
        List<String> progress = new ArrayList<>();
        BacktestJob.run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, events)), FormatOptions.defaults(), out,
                Rules.defaults(), Duration.ofMinutes(10), 2, c, io.churnradar.guard.BacktestLimits.defaults(), progress::add);
        for (String line : progress) {
            Matcher m = MERGED.matcher(line);
            if (m.find()) return Long.parseLong(m.group(1).replace(",", ""));
        }
        throw new AssertionError("no line about the merged runs in " + progress);
    }

    @Test
    void outputsSpilledInTinyRunsAreByteForByteTheOnesSortedInMemory() throws Exception {
        List<String> lines = new ArrayList<>(new PlantedHistory().lines);
        lines.add("{\"not\": \"an event\"}"); // and dead letters, in their own runs too
        lines.add("not json at all");
        Path events = Files.write(tmp.resolve("events.jsonl"), lines, StandardCharsets.UTF_8);

        long inMemoryRuns = run(events, tmp.resolve("in-memory"), 64L * 1024 * 1024);
        long spilledRuns = run(events, tmp.resolve("spilled"), 1); // a run per record

        long outputLines = 0;
        for (String f : List.of("alerts.jsonl", "command-audit.jsonl", "commands.jsonl", "dead-letter.jsonl", "health.jsonl")) {
            outputLines += Files.readAllLines(tmp.resolve("in-memory").resolve(f)).size();
        }
        assertThat(outputLines).isGreaterThan(50);
        assertThat(inMemoryRuns).as("one run per output and subtask at most").isLessThanOrEqualTo(7 * 2);
        assertThat(spilledRuns).as("a run per record: no output line was held with another in memory")
                .isGreaterThanOrEqualTo(outputLines);
        for (String f : RESULT_FILES) {
            assertThat(Files.readAllBytes(tmp.resolve("spilled").resolve(f)))
                    .as(f).isEqualTo(Files.readAllBytes(tmp.resolve("in-memory").resolve(f)));
        }
        for (String dir : List.of("in-memory", "spilled")) {
            try (Stream<Path> left = Files.list(tmp.resolve(dir))) {
                assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
                        .as("the scratch folder is gone").containsExactlyElementsOf(RESULT_FILES);
            }
            // The summary names every file of the folder (the launcher prints them), in the order written, itself last.
            List<String> named = new ArrayList<>();
            new ObjectMapper().readTree(tmp.resolve(dir).resolve("summary.json").toFile()).get("resultFiles")
                    .forEach(n -> named.add(n.asText()));
            assertThat(named).containsExactlyInAnyOrderElementsOf(RESULT_FILES).endsWith("summary.json");
        }
    }
}
