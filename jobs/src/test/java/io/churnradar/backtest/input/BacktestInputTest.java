package io.churnradar.backtest.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an {@code --events} argument reads, and what it refuses before a run starts. */
class BacktestInputTest {
    private static final String LINE = "{\"type\":\"login\",\"eventId\":\"l-1\",\"accountId\":\"a\",\"eventTime\":\"2026-03-01T10:00:00Z\",\"userId\":\"u\"}\n";

    @TempDir
    Path tmp;

    @Test
    void anEmptyPathIsRefusedInsteadOfReadingTheWorkingFolder() {
        assertThatThrownBy(() -> BacktestInput.parse("stripe=")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("empty path");
        assertThatThrownBy(() -> BacktestInput.parse("")).isInstanceOf(ConfigException.class).hasMessageContaining("empty path");
    }

    @Test
    void aFolderReadsItsJsonLinesAndNamesTheFilesItLeavesOutButNotHiddenOnes() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("history"));
        Files.writeString(folder.resolve("2026-03.jsonl"), LINE);
        Files.writeString(folder.resolve("2026-05.JSONL"), LINE);
        Files.writeString(folder.resolve("notes.txt"), "x");
        Files.writeString(folder.resolve(".2026-04.jsonl.partial.jsonl"), LINE); // a file still being written
        Files.writeString(Files.createDirectories(folder.resolve(".cache")).resolve("old.jsonl"), LINE);

        BacktestInput in = BacktestInput.parse(folder.toString());

        assertThat(in.files()).containsExactly(folder.resolve("2026-03.jsonl"));
        assertThat(in.leftOut()).containsExactly(folder.resolve("2026-05.JSONL"), folder.resolve("notes.txt"));
        assertThat(BacktestInput.parse(folder.resolve("2026-03.jsonl").toString()).leftOut()).isEmpty();
    }

    @Test
    void aFileCompressedOtherThanWithGzipIsRefusedWithTheCommandThatDecompressesIt() throws Exception {
        Path xz = Files.write(tmp.resolve("history.jsonl"), new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2});
        assertThatThrownBy(() -> BacktestInput.parse(xz.toString()).files()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("compressed with xz").hasMessageContaining("xz -dk " + xz);
        Path bz = Files.writeString(Files.createDirectories(tmp.resolve("in")).resolve("h.jsonl"), "BZh91AY&SY");
        assertThatThrownBy(() -> BacktestInput.parse(bz.getParent().toString()).files()).hasMessageContaining("bzip2");

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(LINE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path misnamed = Files.write(tmp.resolve("events.jsonl"), gz.toByteArray());
        assertThatThrownBy(() -> BacktestInput.parse(misnamed.toString()).files()).hasMessageContaining("rename it to events.jsonl.gz");
        Path named = Files.write(tmp.resolve("events.jsonl.gz"), gz.toByteArray());
        assertThat(BacktestInput.parse(named.toString()).files()).containsExactly(named);
    }

    @Test
    void anOutputFolderInsideAnInputFolderIsRefused() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("history"));
        Files.writeString(folder.resolve("a.jsonl"), LINE);
        List<BacktestInput> inputs = List.of(BacktestInput.parse(folder.toString()));

        assertThatThrownBy(() -> BacktestInput.requireOutsideInputs(folder, inputs, "--out")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--out").hasMessageContaining("would be read as input");
        assertThatThrownBy(() -> BacktestInput.requireOutsideInputs(folder.resolve("results/x"), inputs, "--out"))
                .isInstanceOf(ConfigException.class);
        BacktestInput.requireOutsideInputs(tmp.resolve("results"), inputs, "--out");
        BacktestInput.requireOutsideInputs(tmp.resolve("history-results"), inputs, "--out"); // a sibling whose name starts alike
        BacktestInput.requireOutsideInputs(folder, List.of(BacktestInput.parse(folder.resolve("a.jsonl").toString())), "--out");
    }
}
