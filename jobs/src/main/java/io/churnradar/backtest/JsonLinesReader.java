package io.churnradar.backtest;

import io.churnradar.guard.BoundedLines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Reads each named file line by line, in order, decompressing {@code .gz}. A line above the size
 * limit is never held whole: only its first bytes, its size and its hash go on, to the dead letters.
 */
class JsonLinesReader implements FlatMapFunction<String, InputLine> {
    private static final long serialVersionUID = 1L;

    private final int maxLineBytes;

    JsonLinesReader(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void flatMap(String file, Collector<InputLine> out) throws IOException {
        Path path = Path.of(file);
        try (InputStream raw = Files.newInputStream(path);
                InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BoundedLines r = new BoundedLines(in, maxLineBytes)) {
            long n = 0;
            for (BoundedLines.Line line = r.next(); line != null; line = r.next()) {
                if (line.oversize == null) {
                    out.collect(new InputLine(file, ++n, line.text));
                } else {
                    InputLine l = new InputLine(file, ++n, BoundedLines.text(line.oversize));
                    l.bytes = line.oversize.size;
                    l.sha256 = line.oversize.sha256;
                    l.keptBytes = line.oversize.prefix.length;
                    out.collect(l);
                }
            }
        }
    }
}
