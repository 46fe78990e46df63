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
 * our own format's folders are read for JSON Lines only). Hidden files and folders (a name that starts with a dot:
 * a file still being written under a temporary name, a tool's own folder) are not read; the other files a folder
 * holds that are not read are listed by {@link #leftOut()}, for the run to say so.
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
        if (arg.isBlank()) throw new ConfigException("--events", List.of("an empty path: give a file or a folder"));
        int eq = arg.indexOf('=');
        // A prefix in other letters (Stripe=...) is a format too, unless a file of that whole name is there.
        boolean format = eq > 0 && (arg.substring(0, eq).matches("[a-z][a-z-]*")
                || arg.substring(0, eq).matches("[A-Za-z][A-Za-z-]*") && !Files.exists(Path.of(arg)));
        if (format) {
            InputFormat f = InputFormat.fromId(arg.substring(0, eq).toLowerCase(java.util.Locale.ROOT));
            if (f == null) {
                throw new ConfigException("--events", List.of("'" + arg.substring(0, eq) + "' is not a format; allowed: " + InputFormat.ids()));
            }
            if (arg.substring(eq + 1).isBlank()) {
                // An empty path is the working folder to Java: it would read whatever lies there, recursively.
                throw new ConfigException("--events", List.of("'" + arg + "': an empty path after the format: give a file or a folder"));
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
        if (Files.isRegularFile(p)) return List.of(requireReadableCompression(p));
        try (Stream<Path> walk = Files.walk(p)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(f -> !hidden(p, f))
                    .filter(f -> accepts(f.toString()))
                    .sorted(Comparator.comparing(f -> p.relativize(f).toString()))
                    .toList();
            for (Path f : files) requireReadableCompression(f);
            if (files.isEmpty()) {
                throw new ConfigException("--events", List.of(p + ": the folder holds no "
                        + (format == InputFormat.CHURN_RADAR ? ".jsonl or .jsonl.gz file"
                                : format == InputFormat.AVRO_CONFLUENT ? ".b64 or .b64.gz file" : ".jsonl, .jsonl.gz or .json file")));
            }
            return files;
        }
    }

    /**
     * The files of this input's folder that are not read: neither hidden nor of a name it reads (a {@code .JSONL} or an
     * {@code .xz} export left out of a history would go unnoticed otherwise). Empty for a file.
     */
    public List<Path> leftOut() throws IOException {
        Path p = Path.of(path);
        if (!Files.isDirectory(p)) return List.of();
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> !hidden(p, f) && !accepts(f.toString()))
                    .sorted(Comparator.comparing(f -> p.relativize(f).toString()))
                    .toList();
        }
    }

    /** Whether {@code f}, under {@code folder}, or a folder between them, has a name that starts with a dot. */
    private static boolean hidden(Path folder, Path f) {
        for (Path part : folder.relativize(f)) {
            if (part.toString().startsWith(".")) return true;
        }
        return false;
    }

    /**
     * {@code f}, unless its first bytes say it is compressed in a way this reader does not undo: read as text, an xz,
     * bzip2, zstd or zip file would be one line of binary, a dead letter, and the whole file lost without a word.
     * (Gzip is read, by the name's {@code .gz}; a {@code .gz} that is not gzip stops the run when it is read.)
     */
    static Path requireReadableCompression(Path f) throws IOException {
        if (f.getFileName().toString().endsWith(".gz")) return f;
        byte[] head = new byte[6];
        int n;
        try (java.io.InputStream in = Files.newInputStream(f)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String kind = null;
        String undo = null;
        if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X' && head[4] == 'Z' && head[5] == 0) {
            kind = "xz";
            undo = "xz -dk " + f;
        } else if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            kind = "bzip2";
            undo = "bzip2 -dk " + f;
        } else if (n >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            kind = "zstd";
            undo = "zstd -d " + f;
        } else if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            kind = "zip";
            undo = "unzip " + f;
        } else if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            throw new ConfigException("--events", List.of(f + ": gzip data in a file whose name does not end in .gz: rename it to "
                    + f.getFileName() + ".gz"));
        }
        if (kind == null) return f;
        throw new ConfigException("--events", List.of(f + ": compressed with " + kind
                + ", which the backtest does not read; only gzip (.gz) is. Decompress it first: " + undo));
    }

    /**
     * Refuses an output folder that is, or lies in, a folder of the inputs: the next run would read its results (its
     * alerts, health and commands files are JSON Lines) as events, and dead-letter them, more at every run.
     */
    public static void requireOutsideInputs(Path out, List<BacktestInput> inputs, String option) {
        for (BacktestInput in : inputs) {
            if (holds(Path.of(in.path), out)) {
                throw new ConfigException(option, List.of(out + " lies in the --events folder " + in.path
                        + ": its results would be read as input by the next run; choose a folder outside it"));
            }
        }
    }

    /**
     * Whether writing {@code out} would touch the input {@code in}: the same file (also through a link), or a path in the
     * folder {@code in}, which a later read of the folder would take for input.
     */
    public static boolean holds(Path in, Path out) {
        Path input = in.toAbsolutePath().normalize();
        Path o = out.toAbsolutePath().normalize();
        if (Files.isDirectory(input)) return o.startsWith(input);
        try {
            return o.equals(input) || Files.exists(o) && Files.exists(input) && Files.isSameFile(o, input);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
