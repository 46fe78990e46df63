package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.local.TestTmp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./churn-radar train} on a history it cannot learn from: the replay runs, then the reason, as a command's failure. */
class TrainCommandTest {
    static {
        TestTmp.ensure();
    }

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aHistoryTooShortForTheHorizonIsSaidOnStandardErrorWithoutAStackTrace() throws Exception {
        Path events = Files.write(tmp.resolve("events.jsonl"), List.of(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-01T10:00:00Z\"}",
                "{\"type\":\"login\",\"eventId\":\"e2\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-05T10:00:00Z\"}"));

        int code = Main.run(new String[] {"train", "--events", events.toString(), "--out", tmp.resolve("churn.model").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("replaying the history through detection");
        assertThat(said).startsWith("churn-radar: train: cannot train: the history (2026-01-01 .. 2026-01-05) is too short")
                .doesNotContain("\tat ");
        assertThat(tmp.resolve("churn.model")).doesNotExist();
    }

    @Test
    void aHistoryOfOneDayIsTooShortNotWithoutActivity() throws Exception {
        Path events = Files.write(tmp.resolve("events.jsonl"), List.of(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-01T10:00:00Z\"}",
                "{\"type\":\"usage\",\"eventId\":\"e2\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-01T11:00:00Z\",\"feature\":\"reports\",\"quantity\":3}"));

        int code = Main.run(new String[] {"train", "--events", events.toString(), "--out", tmp.resolve("churn.model").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(said).isEqualTo(1);
        assertThat(said).startsWith("churn-radar: train: cannot train: the history (to 2026-01-01) made no day close to learn from:"
                + " it needs more than twice the horizon of 90 d").doesNotContain("no account activity");
    }
}
