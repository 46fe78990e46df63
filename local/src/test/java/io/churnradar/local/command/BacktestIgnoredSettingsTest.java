package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backtest says which settings of a job's --config it does not use, with the option that sets each. */
class BacktestIgnoredSettingsTest {
    @TempDir
    Path tmp;

    private String noteFor(String yaml) throws Exception {
        Path config = Files.writeString(tmp.resolve("job.yaml"), yaml);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BacktestCommand.printIgnoredSettings(new PrintStream(bytes, true, StandardCharsets.UTF_8), config);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theStreamingJobsSettingsAreNamedWithTheOptionsThatSetThem() throws Exception {
        assertThat(noteFor("eventTime:\n  maxOutOfOrderness: 1h\n  idleness: 1m\nlimits:\n  maxRecordBytes: 2048\nkafka:\n"
                + "  bootstrapServers: k:9092\nformats:\n  stripe: {}\n")).contains(
                "not used here: eventTime.maxOutOfOrderness (use --max-out-of-orderness), eventTime.idleness,"
                        + " limits.maxRecordBytes (use --max-line-bytes), kafka");
    }

    @Test
    void aConfigOfFormatsAndKpisOnlySaysNothing() throws Exception {
        assertThat(noteFor("formats:\n  stripe: {}\nkpis:\n  topCancelReasons: 5\n")).isEmpty();
    }
}
