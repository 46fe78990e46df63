package io.churnradar.backtest.input;

import io.churnradar.config.ConfigException;
import io.churnradar.ingest.formats.InputFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One input of a backtest, {@code --events [FORMAT=]PATH}: payloads of one format in a file, or in the
 * {@code .jsonl}, {@code .jsonl.gz} and {@code .json} files of a folder (searched recursively, by name;
 * our own format's folders are read for JSON Lines only).
 */
public final class BacktestInput implements Serializable {
    private static final long serialVersionUID = 1L;

    public final InputFormat format;
    public final String path;

    public BacktestInput(InputFormat format, Path path) {
        this.format = format;
        this.path = path.toString();
    }

    /** {@code stripe=history/stripe.jsonl}, or a bare path in our own format. */
    public static BacktestInput parse(String arg) {
        int eq = arg.indexOf('=');
        // A prefix in other letters (Stripe=...) is a format too, unless a file of that whole name is there.
        boolean format = eq > 0 && (arg.substring(0, eq).matches("[a-z][a-z-]*")
                || arg.substring(0, eq).matches("[A-Za-z][A-Za-z-]*") && !Files.exists(Path.of(arg)));
        if (format) {
            InputFormat f = InputFormat.fromId(arg.substring(0, eq).toLowerCase(java.util.Locale.ROOT));
            if (f == null) {
                throw new ConfigException("--events", List.of("'" + arg.substring(0, eq) + "' is not a format; allowed: " + InputFormat.ids()));
            }
            return new BacktestInput(f, Path.of(arg.substring(eq + 1)));
        }
        return new BacktestInput(InputFormat.CHURN_RADAR, Path.of(arg));
    }

    /**
     * Whether a file in a folder belongs to this input. Confluent-framed Avro records are binary: in
     * files they come one per line, base64-encoded (as a dump of the topic's raw values writes them).
     */
    private boolean accepts(String name) {
        return switch (format) {
            case CHURN_RADAR -> isJsonLines(name);
            case AVRO_CONFLUENT -> name.endsWith(".b64") || name.endsWith(".b64.gz");
            default -> PayloadFile.isPayloadFile(name);
        };
    }

    /** The files of all {@code inputs}, in the order they are read. */
    public static List<Path> files(List<BacktestInput> inputs) throws IOException {
        List<Path> all = new ArrayList<>();
        for (BacktestInput in : inputs) all.addAll(in.files());
        return all;
    }

    /** The files of this input, in the order they are read. */
    public List<Path> files() throws IOException {
        Path p = Path.of(path);
        if (!Files.exists(p)) throw new ConfigException("--events", List.of(p + ": no such file or folder"));
        if (Files.isRegularFile(p)) return List.of(p);
        try (Stream<Path> walk = Files.walk(p)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(f -> accepts(f.toString()))
                    .sorted(Comparator.comparing(f -> p.relativize(f).toString()))
                    .toList();
            if (files.isEmpty()) {
                throw new ConfigException("--events", List.of(p + ": the folder holds no "
                        + (format == InputFormat.CHURN_RADAR ? ".jsonl or .jsonl.gz file"
                                : format == InputFormat.AVRO_CONFLUENT ? ".b64 or .b64.gz file" : ".jsonl, .jsonl.gz or .json file")));
            }
            return files;
        }
    }

    private static boolean isJsonLines(String name) {
        return name.endsWith(".jsonl") || name.endsWith(".jsonl.gz");
    }

    @Override
    public String toString() {
        return format.id + "=" + path;
    }
}
