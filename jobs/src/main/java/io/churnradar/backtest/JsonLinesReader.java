package io.churnradar.backtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Reads each named file line by line, in order, decompressing {@code .gz}. */
class JsonLinesReader implements FlatMapFunction<String, InputLine> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(String file, Collector<InputLine> out) throws IOException {
        Path path = Path.of(file);
        try (InputStream raw = Files.newInputStream(path);
                InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16)) {
            long n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.collect(new InputLine(file, ++n, line));
            }
        }
    }
}
