package io.churnradar.backtest.results;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that writes each record as sorted runs into a scratch folder, for {@link ExternalSort#merge}
 * to turn into one sorted file once the job is done: each subtask holds at most one run per stream in
 * memory, so a backtest's memory does not grow with its output. A record may go to several streams
 * (a health update is both a change and, maybe, its account's last score).
 *
 * <p>Runs are named {@code STREAM-SUBTASK-RUN.run}, zero-padded, so their names sort in the order a
 * stable merge needs: one account's records come from one subtask, in the order they were written.
 */
final class SortedRunSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Turns a record into entries of the sink's streams. */
    interface Encoder<T> extends Serializable {
        void encode(T value, Emitter out) throws IOException;
    }

    /** Takes an entry for stream {@code stream} (an index into the sink's streams). */
    interface Emitter {
        void emit(int stream, ExternalSort.Entry entry) throws IOException;
    }

    /**
     * A stream of sorted runs: its name and, for a stream whose records' last one for each value of a key part another
     * stream marks ({@link #keepingLastOf}), that part and that stream's name
     * (else -1 and null).
     */
    record Stream(String name, int lastOfPart, String lastIn) implements Serializable {
        Stream {
            if (!name.matches("[a-z][a-z-]*")) throw new IllegalArgumentException("a run stream's name is lower-case letters and dashes: " + name);
            if ((lastIn == null) != (lastOfPart < 0)) throw new IllegalArgumentException("a key part and a stream, or neither: " + lastOfPart + ", " + lastIn);
        }

        Stream(String name) {
            this(name, -1, null);
        }

        /**
         * This stream, whose last record for each value of its key part {@code part} (a string) is marked in {@code last},
         * keyed by that value (see {@link ExternalSort.RunWriter#keepingLastOf}); {@link ExternalSort#mergeKeepingLast} finds
         * the records the marks point to. The sink lists {@code last} after this stream.
         */
        Stream keepingLastOf(int part, Stream last) {
            if (last.name.equals(name)) throw new IllegalArgumentException("a stream cannot keep its own marks: " + name);
            return new Stream(name, part, last.name);
        }

        /** The runs of this stream in {@code scratch}, in merge order. */
        List<Path> runs(Path scratch) throws IOException {
            Pattern mine = Pattern.compile(Pattern.quote(name) + "-\\d{5}-\\d{6}\\.run");
            try (java.util.stream.Stream<Path> files = Files.list(scratch)) {
                return files.filter(f -> mine.matcher(f.getFileName().toString()).matches()).sorted().toList();
            }
        }
    }

    private final String scratch;
    private final List<Stream> streams;
    private final long maxRunBytes;
    private final Encoder<T> encoder;

    SortedRunSink(Path scratch, List<Stream> streams, long maxRunBytes, Encoder<T> encoder) {
        for (int i = 0; i < streams.size(); i++) {
            String lastIn = streams.get(i).lastIn();
            if (lastIn != null && lastStream(streams, i) < 0) {
                throw new IllegalArgumentException("stream " + streams.get(i).name() + " keeps its last records in " + lastIn
                        + ", which must come after it in the sink's streams");
            }
        }
        this.scratch = scratch.toString(); // a Path is not serializable
        this.streams = List.copyOf(streams);
        this.maxRunBytes = maxRunBytes;
        this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        Path dir = Path.of(scratch);
        ExternalSort.RunWriter[] writers = new ExternalSort.RunWriter[streams.size()];
        for (int i = 0; i < writers.length; i++) {
            String prefix = String.format("%s-%05d", streams.get(i).name(), subtask);
            // A restarted subtask starts its output over: the runs of an earlier attempt would repeat records.
            try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, prefix + "-*.run")) {
                for (Path p : old) Files.deleteIfExists(p);
            }
            writers[i] = new ExternalSort.RunWriter(dir, prefix, maxRunBytes);
        }
        // After all are made; writers finish in the streams' order, a stream's before the one keeping its last records.
        for (int i = 0; i < writers.length; i++) {
            if (streams.get(i).lastIn() != null) writers[i].keepingLastOf(streams.get(i).lastOfPart(), writers[lastStream(streams, i)]);
        }
        return new Writer<>(encoder, writers);
    }

    /** The index of the stream after {@code i} that keeps stream {@code i}'s last records, or -1. */
    private static int lastStream(List<Stream> streams, int i) {
        for (int j = i + 1; j < streams.size(); j++) {
            if (streams.get(j).name().equals(streams.get(i).lastIn())) return j;
        }
        return -1;
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final Encoder<T> encoder;
        private final ExternalSort.RunWriter[] writers;
        private final Emitter emitter;
        private boolean finished;

        Writer(Encoder<T> encoder, ExternalSort.RunWriter[] writers) {
            this.encoder = encoder;
            this.writers = writers;
            this.emitter = (stream, entry) -> writers[stream].add(entry);
        }

        @Override
        public void write(T element, Context context) throws IOException {
            encoder.encode(element, emitter); // copies what it needs: the backtest reuses objects
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            // Only at the end: a run spilled at every checkpoint would be small for nothing.
            if (endOfInput && !finished) {
                for (ExternalSort.RunWriter w : writers) w.finish();
                finished = true;
            }
        }

        @Override
        public void close() {
            // Without end of input the job failed or was cancelled: the client discards the scratch folder.
        }
    }
}
