package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void otherFormatsCountEveryLineAsAnAccount() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.STRIPE, history(25, 1_000)));
        assertThat(BacktestStateBackend.estimateAccounts(in)).isEqualTo(1_000);
    }

    @Test
    void anExplicitChoiceIsKept() throws Exception {
        List<BacktestInput> in = List.of(new BacktestInput(InputFormat.CHURN_RADAR, history(25, 100)));
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.of("rocksdb"), in, 2L << 30).heap()).isFalse();
        assertThat(BacktestStateBackend.decide(BacktestStateBackend.Choice.of("heap"), in, 1).heap()).isTrue();
        assertThatThrownBy(() -> BacktestStateBackend.Choice.of("memory")).hasMessageContaining("heap, rocksdb or auto");
    }
}
