package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountLimit;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A heap backtest chosen by {@code auto} carries the accounts its heap allows: with more, it fails at once and starts
 * again on RocksDB, with the same results as a run on RocksDB from the start.
 */
class BacktestAccountLimitTest {
    private static final List<String> RESULT_FILES = List.of("alerts.jsonl", "command-audit.jsonl", "commands.jsonl",
            "dead-letter.jsonl", "health.jsonl", "kpis.jsonl", "outcomes.json");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    private Path events;

    @BeforeEach
    void history() throws Exception {
        events = Files.write(tmp.resolve("events.jsonl"), new PlantedHistory().lines, StandardCharsets.UTF_8); // five accounts
    }

    private BacktestSummary run(BacktestStateBackend.Decision decision, Path out, List<String> progress) throws Exception {
        return BacktestStateBackend.runFallingBack(decision, d -> BacktestJob.run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, events)),
                FormatOptions.defaults(), out, Rules.defaults(), Duration.ofMinutes(10), 2, d.applyTo(BacktestEndToEndTest.flinkConfig()),
                BacktestLimits.defaults(), progress::add), progress::add);
    }

    @Test
    void aHeapRunWithMoreAccountsThanItsLimitStartsAgainOnRocksDbWithTheSameResults() throws Exception {
        List<String> onRocksDb = new ArrayList<>();
        BacktestSummary expected = run(new BacktestStateBackend.Decision(false, 5, "as asked"), tmp.resolve("rocksdb"), onRocksDb);
        List<String> fellBack = new ArrayList<>();
        BacktestSummary s = run(new BacktestStateBackend.Decision(true, 2, "test", 2), tmp.resolve("fell-back"), fellBack);

        assertThat(s.eventsAccepted).isEqualTo(expected.eventsAccepted).isPositive();
        assertThat(fellBack).anySatisfy(line -> assertThat(line).contains("state backend    rocksdb (started again: more than 2 accounts"));
        assertThat(onRocksDb).noneSatisfy(line -> assertThat(line).contains("started again"));
        for (String f : RESULT_FILES) {
            assertThat(Files.readAllBytes(tmp.resolve("fell-back").resolve(f))).as(f).isEqualTo(Files.readAllBytes(tmp.resolve("rocksdb").resolve(f)));
        }
        try (var left = Files.list(tmp.resolve("fell-back"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no scratch folder of the first run is left")
                    .noneMatch(n -> n.startsWith(".backtest-scratch-"));
        }
    }

    @Test
    void aHeapRunWithinItsLimitRunsOnce() throws Exception {
        List<String> progress = new ArrayList<>();
        run(new BacktestStateBackend.Decision(true, 5, "test", 10), tmp.resolve("heap"), progress);
        assertThat(progress).noneSatisfy(line -> assertThat(line).contains("started again"));
    }

    @Test
    void aRunAskedForTheHeapHasNoLimitAndAFailureOtherThanTheLimitIsNotRetried() throws Exception {
        Configuration heap = new BacktestStateBackend.Decision(true, -1, "as asked").applyTo(new Configuration());
        assertThat(heap.toMap()).doesNotContainKey("pipeline.global-job-parameters");
        int[] runs = {0};
        assertThatThrownBy(() -> BacktestStateBackend.runFallingBack(new BacktestStateBackend.Decision(true, 5, "test", 10), d -> {
            runs[0]++;
            throw new IllegalStateException("disk full");
        }, null)).hasMessage("disk full");
        assertThat(runs[0]).isEqualTo(1);
        assertThat(AccountLimit.Exceeded.isCause(new RuntimeException(new IllegalStateException("x")))).isFalse();
    }
}
