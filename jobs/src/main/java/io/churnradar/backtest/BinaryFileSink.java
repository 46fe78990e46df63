package io.churnradar.backtest;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes records in a compact binary form, one file per subtask ({@code NAME-SUBTASK.bin}) in a scratch
 * folder, for a training run to read back once the job is done: memory stays flat however many rows the
 * replay makes. A restarted subtask starts its file over.
 */
final class BinaryFileSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    interface Encoder<T> extends Serializable {
        /** Writes the record, or nothing when it is not wanted. */
        void encode(T value, DataOutputStream out) throws IOException;
    }

    private final String dir;
    private final String name;
    private final Encoder<T> encoder;

    BinaryFileSink(Path dir, String name, Encoder<T> encoder) {
        this.dir = dir.toString(); // a Path is not serializable
        this.name = name;
        this.encoder = encoder;
    }

    /** The files written, in subtask order. */
    static List<Path> files(Path dir, String name) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return new ArrayList<>(all.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(name) + "-\\d{5}\\.bin"))
                    .sorted().toList());
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        Path file = Path.of(dir, String.format("%s-%05d.bin", name, context.getTaskInfo().getIndexOfThisSubtask()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws IOException {
                encoder.encode(element, out);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
