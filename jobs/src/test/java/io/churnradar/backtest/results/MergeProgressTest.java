package io.churnradar.backtest.results;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.results.ExternalSort.Entry;
import io.churnradar.backtest.results.ExternalSort.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the merge of the result files tells its progress lines: the file it writes, and the time of its last line. */
class MergeProgressTest {
    private static final long DAY = 86_400_000L;
    private static final long T = 1_767_225_600_000L; // 2026-01-01

    @TempDir
    Path tmp;

    @Test
    void theHealthFileEndsWithEachAccountsLastScoreAndTheScoresFollowInTimeOrder() throws Exception {
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        ExternalSort.RunWriter alerts = new ExternalSort.RunWriter(scratch, "alerts-00000", 1 << 20);
        alerts.add(new Entry(Key.of(T, "acct-a", "USAGE_DROP", "RAISED"), "USAGE_DROP\tRAISED", "{\"alert\":1}"));
        alerts.finish();
        ExternalSort.RunWriter last = new ExternalSort.RunWriter(scratch, "health-last-00000", 1 << 20);
        ExternalSort.RunWriter changes = new ExternalSort.RunWriter(scratch, "health-changes-00000", 1 << 20).keepingLastOf(1, last);
        for (int d = 0; d < 3; d++) {
            for (String account : List.of("acct-a", "acct-b")) {
                changes.add(new Entry(Key.of(T + d * DAY, account), null, "{\"accountId\":\"" + account + "\",\"day\":" + d + ",\"final\":false}"));
            }
        }
        changes.finish();
        last.finish();

        BacktestOutputs.MergeProgress progress = new BacktestOutputs.MergeProgress();
        assertThat(progress.file()).isNull();
        BacktestOutputs.Counts counts = BacktestOutputs.write(scratch, Files.createDirectories(tmp.resolve("out")), false, 1 << 20, progress);
        assertThat(counts.healthUpdates).isEqualTo(6);
        assertThat(counts.healthAccounts).isEqualTo(2);
        assertThat(progress.file().name()).isEqualTo("health.jsonl, each account's last score");
        assertThat(progress.file().inTimeOrder()).as("the closing lines come by account").isFalse();
        assertThat(progress.lineTime()).isEqualTo(BacktestOutputs.MergeProgress.NO_TIME);

        ExternalSort.RunWriter scores = new ExternalSort.RunWriter(scratch, "scores-00000", 1 << 20);
        scores.add(new Entry(Key.of(T + DAY, "acct-a"), null, "{\"score\":1}"));
        scores.add(new Entry(Key.of(T + 2 * DAY, "acct-b"), null, "{\"score\":2}"));
        scores.finish();
        BacktestOutputs.MergeProgress scored = new BacktestOutputs.MergeProgress();
        BacktestOutputs.write(scratch, Files.createDirectories(tmp.resolve("scored")), true, 1 << 20, scored);
        assertThat(scored.file().name()).isEqualTo("scores.jsonl");
        assertThat(scored.file().inTimeOrder()).isTrue();
        assertThat(scored.lineTime()).as("the time its last line leads with").isEqualTo(T + 2 * DAY);
    }
}
