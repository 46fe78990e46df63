package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.local.TestTmp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke runs of {@code ./churn-radar bench --latency} (a real broker, the streaming job on a local Flink, a few
 * hundred events for seconds) and {@code --micro} (every JMH benchmark, unforked, one 100 ms iteration), so that
 * neither can rot. They check that the reports have their fields, never how fast anything is.
 */
class BenchLatencyAndMicroTest {
    static {
        TestTmp.ensure();
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void latencyModeMeasuresTheMaximumThenReportsPercentilesPerStep() throws Exception {
        Path json = dir.resolve("latency.json");

        // Event-time order, the default: a step's newest events apply only once later events move the watermark past
        // them (docs/operations.md, "Event order"), so every alert of a step is read only because the stream goes on
        // after it (without alerts). At least once (the delivery option's path; the exactly-once sinks are run by every
        // other end-to-end test): no run here fails, so each alert is still read once.
        int code = run("bench", "--latency", "--accounts", "20", "--probe-events", "300", "--step-duration", "2s", "--alert-share", "0.5",
                "--order", "event-time", "--delivery", "at-least-once", "--json", json.toString(),
                "--flink-setting", "execution.checkpointing.interval=1500ms");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("Measuring the maximum sustained input rate: a burst of 300 events", "Step 50%:", "Step 70%:",
                "| step | events/s | events | alerts | read committed | p50 ms | p99 ms | p99.9 ms | max ms | missing");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(printed).contains("Event-to-alert latency, at-least-once", "event-time order");
        assertThat(root.path("deliveryGuarantee").asText()).isEqualTo("at-least-once");
        assertThat(root.path("order").asText()).isEqualTo("event-time");
        // The running job's interval, read from Flink: --flink-setting reaches the job, over config.yaml's 3 s.
        assertThat(printed).contains("Flink settings over the cluster's: {execution.checkpointing.interval=1500ms}");
        assertThat(root.path("checkpointIntervalMs").asLong()).isEqualTo(1500);
        assertThat(root.path("maxEventsPerSecond").asLong()).isPositive();
        assertThat(root.path("probe").path("events").asLong()).isGreaterThanOrEqualTo(300);
        JsonNode steps = root.path("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).path("fraction").asDouble()).isEqualTo(0.5);
        assertThat(steps.get(1).path("fraction").asDouble()).isEqualTo(0.7);
        for (JsonNode s : steps) {
            assertThat(s.path("events").asLong()).isPositive();
            assertThat(s.path("alertsExpected").asLong()).isPositive();
            assertThat(s.path("duplicates").asLong()).isZero();
            JsonNode committed = s.path("readCommitted");
            assertThat(committed.path("count").asLong()).isPositive();
            assertThat(s.path("missing").asLong()).as("alerts of the step not read").isZero();
            assertThat(committed.path("count").asLong()).isEqualTo(s.path("alertsExpected").asLong());
            for (String f : new String[] {"p50Ms", "p99Ms", "p999Ms", "maxMs"}) {
                assertThat(committed.path(f).isNumber()).as(f).isTrue();
            }
            assertThat(committed.path("p50Ms").asDouble()).isLessThanOrEqualTo(committed.path("maxMs").asDouble());
            assertThat(s.path("readUncommitted").has("p99Ms")).isTrue();
        }
    }

    @Test
    void microBenchmarksRunAndPrintJmhsTable() throws IOException {
        int code = run("bench", "--micro", "--jmh", "-f 0 -wi 1 -i 1 -w 100ms -r 100ms");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("Benchmark", "Mode", "Score", "Units");
        for (String b : new String[] {"control", "parse", "dedup", "stateUpdate", "serializerRoundTrip"}) {
            assertThat(printed).containsPattern("HotPathBenchmarks\\." + b + "\\s+avgt\\s+[0-9.,]+\\s+ns/op");
        }
        for (String b : new String[] {"control", "healthLine", "healthLineToRuns"}) {
            assertThat(printed).containsPattern("HealthOutputBenchmarks\\." + b + "\\s+avgt\\s+[0-9.,]+\\s+ns/op");
        }
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the health benchmark's runs removed")
                    .noneMatch(n -> n.startsWith("churn-radar-health-bench-"));
        }
        // JMH's lock file, made by this run, is not left in the temp folder.
        assertThat(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock")).doesNotExist();
    }

    @Test
    void aMicroBenchmarkExpressionThatMatchesNothingOrABadJmhOptionIsAUsageError() {
        assertThat(run("bench", "--micro", "--jmh", "HealthOutput.healthLineToRuns")).isEqualTo(2);
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(said).contains("--jmh 'HealthOutput.healthLineToRuns' matches no benchmark",
                "HealthOutputBenchmarks.healthLineToRuns", "HotPathBenchmarks.parse", "HotPathBenchmarks.control");
        assertThat(said).doesNotContain("NoBenchmarksException", "\tat org.openjdk");
        assertThat(run("bench", "--micro", "--jmh", "-wi many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--jmh '-wi many'");
        assertThat(Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock")).doesNotExist();
    }

    @Test
    void badLatencyOptionsAreUsageErrors() {
        assertThat(run("bench", "--latency", "--fractions", "0.5,x")).isEqualTo(2);
        assertThat(run("bench", "--latency", "--step-duration", "soon")).isEqualTo(2);
        assertThat(run("bench", "--latency", "--delivery", "at-most-once")).isEqualTo(2);
        assertThat(run("bench", "--latency", "--step-duration", "500ms")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'--fractions'", "'x' is not a number", "'--step-duration'", "'soon' is not a duration",
                "--delivery must be one of exactly-once, at-least-once, got 'at-most-once'",
                // The duration as a user writes it, not Java's PT0.5S.
                "--step-duration must be at least 1s, got '500 ms'");
    }
}
