package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backtest's choice of state backend: as asked, or by the accounts estimated from the input against the heap. */
class BacktestStateBackendTest {
    @TempDir
    Path dir;

    private Path history(int accounts, int lines) throws Exception {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            out.add("{\"type\":\"login\",\"eventId\":\"e-" + i + "\",\"accountId\":\"acct-" + (i % accounts)
                    + "\",\"eventTime\":\"2026-03-02T10:15:00Z\"}");
        }
        Path f = dir.resolve("history.jsonl");
        Files.write(f, out);
        return f;
    }

    @Test
    void autoTakesTheHeapWhenTheAccountsFitAndRocksDbWhenNot() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, history(25, 1_000)));

        BacktestStateBackend.Decision roomy = BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 2L << 30);
        assertThat(roomy.heap()).isTrue();
        assertThat(roomy.estimatedAccounts()).isEqualTo(25);
        assertThat(roomy.applyTo(new Configuration()).getString("state.backend.type", null)).isEqualTo("hashmap");
        assertThat(roomy.reason()).contains("about 25 accounts", "within a third of the 2,048 MB heap");

        // 25 accounts of 4 KB each are above a third of a 64 KB heap.
        BacktestStateBackend.Decision tight = BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 64 * 1024);
        assertThat(tight.heap()).isFalse();
        assertThat(tight.type()).isEqualTo("rocksdb");
        // On RocksDB to keep the heap small: its timers in RocksDB too, whatever the local config says.
        Configuration onRocksDb = tight.applyTo(new Configuration());
        assertThat(onRocksDb.getString("state.backend.rocksdb.timer-service.factory", null)).isEqualTo("ROCKSDB");
        assertThat(roomy.applyTo(new Configuration()).containsKey("state.backend.rocksdb.timer-service.factory")).isFalse();
    }

    /** {@code lines} short lines of our format, the accounts by {@code account(i)}. */
    private Path lines(String name, int lines, java.util.function.IntFunction<String> account) throws Exception {
        Path f = dir.resolve(name);
        try (var w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < lines; i++) w.append("{\"accountId\":\"").append(account.apply(i)).append("\"}\n");
        }
        return f;
    }

    @Test
    void aDenseHistoryThatItsFirstLinesOverstateIsCountedBySamplesThroughItAndGoesOntoTheHeapWithItsLimit() throws Exception {
        // 1,000 accounts over 500,000 lines: the first 200,000 lines hold all of them, scaled up to the file 2,500.
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, lines("dense.jsonl", 500_000, i -> "acct-" + i % 1_000)));
        long heap = 3L * BacktestStateBackend.HEAP_BYTES_PER_ACCOUNT * 2_200; // room for 2,200 accounts
        assertThat(BacktestStateBackend.estimateAccounts(in)).isEqualTo(2_500);
        assertThat(BacktestStateBackend.sampledAccounts(in)).isEqualTo(1_000);

        BacktestStateBackend.Decision d = BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, heap);
        assertThat(d.heap()).isTrue();
        assertThat(d.estimatedAccounts()).isEqualTo(1_000);
        assertThat(d.maxAccounts()).isEqualTo(2_200);
        assertThat(d.reason()).contains("about 1,000 accounts in samples through the input", "suggested 2,500", "past 2,200");
        assertThat(d.applyTo(new Configuration()).get(org.apache.flink.configuration.PipelineOptions.GLOBAL_JOB_PARAMETERS))
                .containsEntry(io.churnradar.detect.AccountLimit.PARAMETER, "2200");
        // Twice the count must fit: with room for 1,900 it goes to RocksDB.
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 3L * BacktestStateBackend.HEAP_BYTES_PER_ACCOUNT * 1_900)
                .heap()).isFalse();
    }

    @Test
    void aHistoryOfEverNewAccountsStaysOnRocksDb() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, lines("sparse.jsonl", 500_000, i -> "acct-" + i)));
        assertThat(BacktestStateBackend.sampledAccounts(in)).isGreaterThan(1_000_000);
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 2L << 30).heap()).isFalse();
    }

    @Test
    void aTailOfAccountsEachSeenInOneBurstIsNotTakenForAFewAccounts() throws Exception {
        // 1,000 accounts all through the file and about 41,700 that come in a burst of three lines once (trials that
        // never came back): each of the latter is in one sample at most, so the estimate is at least all of them.
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR,
                lines("tail.jsonl", 500_000, i -> i % 4 == 0 ? "trial-" + i / 12 : "acct-" + i % 1_000)));
        assertThat(BacktestStateBackend.sampledAccounts(in)).isGreaterThan(42_667);
    }

    @Test
    void aLineLongerThanAnyEventIsCountedNotHeld() throws Exception {
        // Read as the backtest reads (BoundedLines): a line of gigabytes would otherwise be held whole, in 2 bytes a char.
        Path f = dir.resolve("one-line.jsonl");
        try (var w = Files.newBufferedWriter(f)) {
            w.append("{\"accountId\":\"acct-1\"}\n{\"accountId\":\"acct-2\",\"x\":\"");
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'y');
            for (int i = 0; i < 8; i++) w.write(chunk); // 8 MB, 32 times the longest line an event may have
            w.append("\"}\n{\"accountId\":\"acct-3\"}\n");
        }
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, f));
        assertThat(BacktestStateBackend.estimateAccounts(in)).as("the long line's account is not read, the others are").isEqualTo(2);
        assertThat(BacktestStateBackend.sampledAccounts(in)).isEqualTo(2);
    }

    @Test
    void otherFormatsCountEveryLineAsAnAccount() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.STRIPE, history(25, 1_000)));
        assertThat(BacktestStateBackend.estimateAccounts(in)).isEqualTo(1_000);
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 64 * 1024).reason())
                .contains("up to about 1,000 accounts", "every line taken for an account");
    }

    @Test
    void aGzippedHistoryThatCannotBeSampledThroughSaysItsCountIsACeiling() throws Exception {
        // 1,000 accounts over 300,000 lines, gzipped: no samples through it, only its first lines scaled up.
        Path plain = lines("dense.jsonl", 300_000, i -> "acct-" + i % 1_000);
        Path gz = dir.resolve("dense.jsonl.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(plain, out);
        }
        Files.delete(plain);
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, gz));
        assertThat(BacktestStateBackend.sampledAccounts(in)).isEqualTo(-1);

        BacktestStateBackend.Decision d = BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 64 * 1024);
        assertThat(d.heap()).isFalse();
        assertThat(d.estimatedAccounts()).isPositive();
        assertThat(d.reason()).startsWith("auto: up to about ").contains("a gzipped file cannot be sampled through");
    }

    @Test
    void aGzippedFileCutOffBeforeTheSampleEndsIsNamedBeforeAnythingStarts() throws Exception {
        Path plain = lines("short.jsonl", 2_000, i -> "acct-" + i % 100);
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(whole)) {
            Files.copy(plain, out);
        }
        byte[] bytes = whole.toByteArray();
        Path cut = Files.write(dir.resolve("short.jsonl.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, cut));
        assertThatThrownBy(() -> BacktestStateBackend.decide(BacktestStateBackend.Choice.AUTO, in, 2L << 30))
                .isInstanceOf(io.churnradar.backtest.input.UnreadableInputFile.class)
                .hasMessageStartingWith(cut + ": cannot be read as gzip after line ")
                .hasMessageContaining("(EOFException: Unexpected end of ZLIB input stream)");
    }

    @Test
    void anExplicitChoiceIsKept() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, history(25, 100)));
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.of("rocksdb"), in, 2L << 30).heap()).isFalse();
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.of("heap"), in, 1).heap()).isTrue();
        assertThatThrownBy(() -> BacktestStateBackend.Choice.of("memory")).hasMessageContaining("heap, rocksdb or auto");
    }
}
