package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of {@code ./churn-radar bench} on a tiny generated input, once, every pipeline on both
 * backends on a real local Flink, so that the command cannot rot. It checks that every pipeline is
 * measured and reported with positive figures, never how fast anything is.
 */
class BenchCommandTest {
    static {
        TestTmp.ensure();
    }

    private static final List<String> ROWS = List.of("ceiling", "flink-sql (heap)", "flink-sql (rocksdb)", "backtest (heap)",
            "backtest (rocksdb)", "streaming (rocksdb)");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void measuresEveryPipelineAndWritesTheTableAndJson() throws Exception {
        Path json = dir.resolve("bench.json");
        List<String> benchDirsBefore = benchDirs();

        int code = run("bench", "--events-count", "3000", "--accounts", "40", "--days", "20", "--skew", "0.5", "--runs", "1",
                "--warmups", "0", "--cpu-by-thread", "--json", json.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("Generating 3,000 events over 40 accounts and 20 days", "[run 1/1] ceiling ...",
                "| pipeline | events/CPU-s median | min | max | events/s | x ceiling | x flink-sql |");
        for (String row : ROWS) assertThat(printed).contains("| " + row + " | ");
        assertThat(printed).contains("CPU-s by thread: operators ",
                "| pipeline | operators | sources | JIT | GC and VM | RocksDB background | runtime and rest | ended unsampled | operators µs/event |");

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("machine").path("cores").asInt()).isPositive();
        assertThat(root.path("settings").path("rulesFile").isNull()).isTrue();
        assertThat(root.path("settings").path("rulesVersion").asText()).isEqualTo(io.churnradar.config.Rules.defaults().version);
        assertThat(root.path("input").path("events").asLong()).isPositive();
        JsonNode pipelines = root.path("pipelines");
        List<String> labels = new ArrayList<>();
        for (JsonNode p : pipelines) {
            String label = p.path("backend").asText().equals("-") ? p.path("pipeline").asText()
                    : p.path("pipeline").asText() + " (" + p.path("backend").asText() + ")";
            labels.add(label);
            JsonNode cpu = p.path("eventsPerCpuSecond");
            assertThat(cpu.path("median").asDouble()).as(label).isPositive();
            assertThat(cpu.path("min").asDouble()).as(label).isPositive().isLessThanOrEqualTo(cpu.path("max").asDouble());
            assertThat(p.path("eventsPerSecond").asDouble()).as(label).isPositive();
            assertThat(p.path("ratioToCeiling").asDouble()).as(label).isPositive();
            assertThat(p.path("ratioToFlinkSql").asDouble()).as(label).isPositive();
            assertThat(p.path("peakHeapBytes").asLong()).as(label).isPositive();
            assertThat(p.path("runs")).as(label).hasSize(1);
            JsonNode byThread = p.path("runs").get(0).path("cpuByThread");
            double spent = 0;
            for (String kind : List.of("operators", "sources", "JIT", "GC and VM", "RocksDB background", "runtime and rest", "ended unsampled")) {
                assertThat(byThread.path(kind).isNumber()).as(label + ": " + kind).isTrue();
                spent += byThread.path(kind).asDouble();
            }
            assertThat(spent).as(label).isPositive();
            if (label.startsWith("backtest") || label.startsWith("streaming")) {
                assertThat(p.path("stateBytesPerAccount").asLong()).as(label).isPositive();
            }
        }
        assertThat(labels).containsExactlyElementsOf(ROWS);
        assertThat(pipelines.get(0).path("ratioToCeiling").asDouble()).isEqualTo(1.0);
        // The generated input and every run's folders are gone.
        assertThat(benchDirs()).isEqualTo(benchDirsBefore);
    }

    @Test
    void warmUpRoundsRunEveryPipelineAndAreNotCountedUnderTheRulesGiven() throws Exception {
        Path json = dir.resolve("warm.json");

        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: \"bench-1\"\ndedup:\n  windowDays: 1\n");

        int code = run("bench", "--events-count", "500", "--accounts", "10", "--days", "5", "--pipelines", "ceiling,backtest",
                "--backend", "heap", "--runs", "1", "--warmups", "1", "--rules", rules.toString(), "--json", json.toString());

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("Rules of the backtest and streaming pipelines: " + rules + " (version bench-1)");
        assertThat(printed).contains("[warm-up 1/1] ceiling ...", "[warm-up 1/1] backtest (heap) ...", "(not counted)",
                "[run 1/1] ceiling ...", "[run 1/1] backtest (heap) ...", "1 run each after 1 warm-up round;");
        assertThat(printed.indexOf("[warm-up 1/1] backtest (heap) ...")).isLessThan(printed.indexOf("[run 1/1] ceiling ..."));
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("warmups").asInt()).isEqualTo(1);
        assertThat(root.path("settings").path("rulesFile").asText()).isEqualTo(rules.toString());
        assertThat(root.path("settings").path("rulesVersion").asText()).isEqualTo("bench-1");
        for (JsonNode p : root.path("pipelines")) assertThat(p.path("runs")).as(p.path("pipeline").asText()).hasSize(1);
        assertThat(run("bench", "--warmups", "11")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--warmups");
    }

    @Test
    void measuresTheDayCloseOfEveryAccount() {
        int code = run("bench", "--day-close", "--accounts", "300", "--other-events", "200");

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        // Every account closes its day; the figures are printed, never judged.
        assertThat(printed).contains("Day close of 300 accounts on RocksDB (checkpointing): 300 accounts published their close",
                "  close ", "  other traffic ", "of 200 events worked off during the close",
                "  longest pause ", "between two payment alerts of a subtask during the close")
                .doesNotContain("INCOMPLETE");
    }

    @Test
    void theDayClosesJobTakesTheFlinkSettingsGiven() {
        // A state backend Flink does not know fails the job as it starts: the setting reached it, not only the cluster's config.
        int code = run("bench", "--day-close", "--accounts", "10", "--other-events", "10", "--flink-setting", "state.backend.type=no-such-store");

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Flink settings over the cluster's: {state.backend.type=no-such-store}");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no-such-store");
    }

    @Test
    void aFileWithoutOurEventsIsAUsageErrorNotABenchOfNothing(@TempDir Path dir) throws Exception {
        Path stripe = Files.writeString(dir.resolve("stripe.jsonl"),
                "{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"created\":1772446500,\"data\":{\"object\":{\"id\":\"in_1\"}}}\n");

        assertThat(run("bench", "--events", stripe.toString(), "--pipelines", "ceiling", "--runs", "1", "--warmups", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("churn-radar: bench: --events " + stripe
                + ": none of its 1 lines is an event of our JSON Lines", "./churn-radar convert");
    }

    @Test
    void dayCloseTrafficBeyondTheAccountsIsAUsageError() {
        assertThat(run("bench", "--day-close", "--accounts", "10", "--other-events", "11")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--other-events");
    }

    @Test
    void anOptionTheMeasurementDoesNotUseIsNamedNotLeftOut() {
        assertThat(run("bench", "--latency", "--rules", "my-rules.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--rules does not apply to --latency, which takes --accounts, --alert-share");
        err.reset();
        assertThat(run("bench", "--day-close", "--json", "figures.json")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--json does not apply to --day-close");
        err.reset();
        assertThat(run("bench", "--max-rate", "100")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--max-rate does not apply to a run of the pipelines, which takes --account-cache");
        err.reset();
        assertThat(run("bench", "--latency", "--micro")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--latency and --micro are different measurements: give one of them");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing ran").isEmpty();
    }

    @Test
    void everyOptionBelongsToAMeasurement() {
        picocli.CommandLine bench = new picocli.CommandLine(new BenchCommand(System.out));
        java.util.Set<String> taken = new java.util.TreeSet<>();
        BenchCommand.OPTIONS_OF.values().forEach(taken::addAll);
        taken.addAll(BenchCommand.OPTIONS_OF.keySet());
        assertThat(bench.getCommandSpec().options()).filteredOn(o -> !o.usageHelp())
                .extracting(picocli.CommandLine.Model.OptionSpec::longestName)
                .as("an option no measurement takes would be refused everywhere").allMatch(taken::contains);
    }

    @Test
    void unknownBackendIsAUsageError() {
        assertThat(run("bench", "--backend", "memory")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--backend must be heap, rocksdb or both, got 'memory'");
    }

    @Test
    void unknownPipelineIsAUsageError() {
        assertThat(run("bench", "--pipelines", "ceiling,spark")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--pipelines takes ceiling, flink-sql, backtest, streaming, got 'spark'");
    }

    @Test
    void pipelinesPickTheVariantsOfARound() {
        assertThat(io.churnradar.bench.Benchmark.variants(List.of("heap", "rocksdb"), List.of("backtest", "streaming")))
                .extracting(io.churnradar.bench.Benchmark.Variant::label)
                .containsExactly("backtest (heap)", "backtest (rocksdb)", "streaming (rocksdb)");
        assertThat(io.churnradar.bench.Benchmark.variants(List.of("heap"))).extracting(io.churnradar.bench.Benchmark.Variant::label)
                .containsExactly("ceiling", "flink-sql (heap)", "backtest (heap)", "streaming (rocksdb)");
    }

    @Test
    void aBadRulesFileIsAUsageErrorThatNamesTheFileAndTheKey() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: \"bench-1\"\ndedup:\n  windowDays: 0\n");

        assertThat(run("bench", "--events-count", "100", "--rules", rules.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(rules.toString(), "dedup.windowDays");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("Generating");
    }

    @Test
    void missingEventsFileIsAUsageError() {
        assertThat(run("bench", "--events", dir.resolve("nope.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a file");
    }

    private static List<String> benchDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("churn-radar-")).sorted().toList();
        }
    }
}
