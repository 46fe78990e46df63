package io.churnradar.backtest.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records of one backtest file as its source reads them: file and line of dead letters, the lines counted, a restore. */
class PayloadFormatTest {
    @TempDir
    Path tmp;

    private static final String LOGIN = "{\"type\":\"login\",\"eventId\":\"%s\",\"accountId\":\"acme\",\"eventTime\":%d}";

    @Test
    void readsEventsAndDeadLettersWithFileLineAndTheLinesBetween() throws Exception {
        Path file = Files.write(tmp.resolve("_events.jsonl"), List.of(
                String.format(LOGIN, "e1", 1767225600000L),
                "",
                "{not json",
                String.format(LOGIN, "e2", 1767225660000L),
                ""));
        List<InputRecord> all = read(file, 0);

        assertThat(all).hasSize(4);
        assertThat(all.get(0).event.eventId).isEqualTo("e1");
        assertThat(all.get(1).rejected.file).isEqualTo(file.toAbsolutePath().toString());
        assertThat(all.get(1).rejected.line).isEqualTo(3);
        assertThat(all.get(1).rejected.original).isEqualTo("{not json");
        assertThat(all.get(1).lines).as("the blank line before it, and its own").isEqualTo(2);
        assertThat(all.get(1).blankLines).isEqualTo(1);
        assertThat(all.get(2).event.eventId).isEqualTo("e2");
        assertThat(all.get(3).event).as("the counts of the last blank line").isNull();
        assertThat(all.get(3).rejected).isNull();
        assertThat(all.stream().mapToLong(r -> r.lines).sum()).isEqualTo(5);
        assertThat(all.stream().mapToLong(r -> r.fileBytes).sum()).isEqualTo(Files.size(file));
        assertThat(all).allSatisfy(r -> assertThat(r.input).isEqualTo(3));

        List<InputRecord> rest = read(file, 2);
        assertThat(rest).as("restored after two records: the others, the same").hasSize(2);
        assertThat(rest.get(0).event.eventId).isEqualTo("e2");
        assertThat(rest.get(0).lines).isEqualTo(1);
    }

    @Test
    void aGzippedFileCountsItsCompressedBytesAsTheyAreRead() throws Exception {
        Path file = tmp.resolve("events.jsonl.gz");
        // Random ids: a file that compresses to more than the reader's buffers, read in several steps.
        java.util.Random random = new java.util.Random(7);
        try (var out = new java.io.PrintWriter(new java.util.zip.GZIPOutputStream(Files.newOutputStream(file)), false,
                java.nio.charset.StandardCharsets.UTF_8)) {
            for (int i = 0; i < 40_000; i++) out.println(String.format(LOGIN, Long.toHexString(random.nextLong()), 1767225600000L + i));
        }
        List<InputRecord> all = read(file, 0);

        assertThat(all).hasSize(40_000);
        long size = Files.size(file);
        assertThat(all.stream().mapToLong(r -> r.fileBytes).sum()).as("the file's own bytes, not its text's").isEqualTo(size);
        long halfway = all.subList(0, 20_000).stream().mapToLong(r -> r.fileBytes).sum();
        assertThat(halfway).as("the share read grows as it is read").isBetween(size / 4, size * 3 / 4);
    }

    @Test
    void aGzippedFileCutOffStopsTheJobWithoutRestartsNamingTheFileAndTheLineReached() throws Exception {
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        java.util.Random random = new java.util.Random(7);
        try (var out = new java.io.PrintWriter(new java.util.zip.GZIPOutputStream(whole), false, java.nio.charset.StandardCharsets.UTF_8)) {
            for (int i = 0; i < 20_000; i++) out.println(String.format(LOGIN, Long.toHexString(random.nextLong()), 1767225600000L + i));
        }
        byte[] bytes = whole.toByteArray();
        Path cut = Files.write(tmp.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(cut, 0))
                .as("a restart would read it the same way: Flink's classifier stops the job at once")
                .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
                .cause().isInstanceOf(UnreadableInputFile.class)
                .hasMessageStartingWith(cut.toAbsolutePath() + ": cannot be read as gzip after line ")
                .hasMessageContaining("EOFException: Unexpected end of ZLIB input stream")
                .satisfies(e -> assertThat(Long.parseLong(e.getMessage().replaceAll(".* after line (\\d+) .*", "$1")))
                        .as("the lines read whole before the cut").isBetween(1L, 19_999L));

        Path notGzip = Files.writeString(tmp.resolve("plain.jsonl.gz"), String.format(LOGIN, "e1", 1767225600000L) + "\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(notGzip, 0))
                .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
                .cause().hasMessageStartingWith(notGzip.toAbsolutePath() + ": cannot be read as gzip from its start (ZipException: Not in GZIP format)");
    }

    private static List<InputRecord> read(Path file, long restoredAfter) throws Exception {
        PayloadFormat format = new PayloadFormat(3, InputFormat.CHURN_RADAR, FormatOptions.defaults(),
                BacktestLimits.defaults().guard(Duration.ofDays(7)), BacktestLimits.DEFAULT_MAX_LINE_BYTES);
        FileSourceSplit split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()), 0, Files.size(file),
                0, Files.size(file));
        List<InputRecord> out = new ArrayList<>();
        try (BulkFormat.Reader<InputRecord> reader = restoredAfter == 0 ? format.createReader(new Configuration(), split)
                : format.restoreReader(new Configuration(), split.updateWithCheckpointedPosition(
                        new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, restoredAfter)))) {
            long position = restoredAfter;
            for (BulkFormat.RecordIterator<InputRecord> batch = reader.readBatch(); batch != null; batch = reader.readBatch()) {
                for (RecordAndPosition<InputRecord> r = batch.next(); r != null; r = batch.next()) {
                    assertThat(r.getRecordSkipCount()).as("the position a restore starts after").isEqualTo(++position);
                    out.add(r.getRecord());
                }
                batch.releaseBatch();
            }
        }
        return out;
    }
}
