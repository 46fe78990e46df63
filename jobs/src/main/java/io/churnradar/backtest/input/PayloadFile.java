package io.churnradar.backtest.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.guard.BoundedLines;
import io.churnradar.guard.Oversize;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The payloads of one file, in order: a line each in JSON Lines ({@code .jsonl}, {@code .jsonl.gz});
 * in a {@code .json} file the one object it holds, each element of an array, or each of the
 * {@code data} of a Stripe list object (as {@code stripe events list} prints it), with the line it starts on.
 */
public final class PayloadFile implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One payload: where it is, and its text; of a line above the size limit only the first bytes, with
     * its oversize (null otherwise).
     */
    public record Payload(String file, long line, String text, Oversize oversize) {
        public Payload(String file, long line, String text) {
            this(file, line, text, null);
        }
    }

    private final String file;
    private final BoundedLines lines;
    private final Deque<Payload> parsed;
    private long lineNo;
    /** The file's bytes as they are read (null for a .json document, read whole when opened). */
    private final CountedBytes fileBytes;
    /** A .json document's size: all of it is read when it is opened. */
    private final long documentSize;

    private final int maxLineBytes;

    private PayloadFile(String file, BoundedLines lines, Deque<Payload> parsed, CountedBytes fileBytes, long documentSize, int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
        this.file = file;
        this.lines = lines;
        this.parsed = parsed;
        this.fileBytes = fileBytes;
        this.documentSize = documentSize;
    }

    public static boolean isPayloadFile(String name) {
        return name.endsWith(".jsonl") || name.endsWith(".jsonl.gz") || name.endsWith(".json");
    }

    public static PayloadFile open(Path path) throws IOException {
        return open(path, BacktestLimits.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * @param maxLineBytes a longer line is never held whole (a 20 MB line would otherwise travel through
     *     the job and end it where results are collected): only its first bytes, size and hash
     */
    public static PayloadFile open(Path path, int maxLineBytes) throws IOException {
        String file = path.toAbsolutePath().toString();
        if (file.endsWith(".json")) {
            return new PayloadFile(file, null, jsonDocument(file, path), null, Files.size(path), maxLineBytes);
        }
        CountedBytes raw = new CountedBytes(Files.newInputStream(path));
        return new PayloadFile(file, new BoundedLines(decompressed(file, raw), maxLineBytes), null, raw, 0, maxLineBytes);
    }

    /**
     * The bytes of {@code raw}, read from {@code file}: decompressed when its name ends in {@code .gz}. A gzip header
     * that is not one closes {@code raw} and fails as {@link UnreadableInputFile}.
     */
    public static InputStream decompressed(String file, InputStream raw) throws IOException {
        if (!file.endsWith(".gz")) return raw;
        try {
            return new GZIPInputStream(raw, 1 << 16);
        } catch (ZipException | EOFException e) {
            raw.close();
            throw new UnreadableInputFile(file, 0, e);
        }
    }

    /** Whether {@code e}, thrown while reading a gzipped file, says its data is cut off or corrupt. */
    public static boolean isBrokenGzip(String file, IOException e) {
        return file.endsWith(".gz") && (e instanceof ZipException || e instanceof EOFException);
    }

    /**
     * The bytes of the file read so far, of a gzipped file its compressed bytes (up to a buffer ahead of the
     * payloads returned): what the backtest's progress counts against the size of its files, which a count of
     * characters cannot do for a gzipped file.
     */
    public long bytesRead() {
        return fileBytes == null ? documentSize : fileBytes.count;
    }

    /**
     * A stream that counts the bytes taken from it. The reader asks for the bytes read at every payload; the file
     * channel's position it asked before is a system call each time, and took a quarter of the reading thread of a
     * backtest. Written here because no library on the classpath counts a stream's bytes (commons-io's
     * CountingInputStream would be a dependency for these lines).
     */
    private static final class CountedBytes extends FilterInputStream {
        long count;

        CountedBytes(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count += skipped;
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false; // a reset would count bytes twice
        }
    }

    /** The next payload, or null at the end of the file. */
    public Payload next() throws IOException {
        if (parsed != null) {
            Payload p = parsed.poll();
            if (p == null || (long) p.text().length() * 3 <= maxLineBytes) return p;
            // A payload of a .json document is held already, but goes on no larger than a line may.
            Oversize o = Oversize.of(p.text().getBytes(StandardCharsets.UTF_8), maxLineBytes);
            return o == null ? p : new Payload(p.file(), p.line(), BoundedLines.text(o), o);
        }
        BoundedLines.Line line;
        try {
            line = lines.next();
        } catch (IOException e) {
            if (isBrokenGzip(file, e)) throw new UnreadableInputFile(file, lineNo, e);
            throw e;
        }
        if (line == null) return null;
        if (line.oversize != null) return new Payload(file, ++lineNo, BoundedLines.text(line.oversize), line.oversize);
        return new Payload(file, ++lineNo, line.text);
    }

    private static Deque<Payload> jsonDocument(String file, Path path) throws IOException {
        Deque<Payload> out = new ArrayDeque<>();
        String text = Files.readString(path, StandardCharsets.UTF_8);
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                readElements(file, p, out);
            } else if (first == JsonToken.START_OBJECT) {
                long line = p.currentTokenLocation().getLineNr();
                JsonNode n = p.readValueAsTree();
                if ("list".equals(n.path("object").asText()) && n.path("data").isArray()) {
                    // A Stripe list: its items again, with where each starts.
                    try (JsonParser q = JSON.createParser(text)) {
                        q.nextToken();
                        while (q.nextToken() == JsonToken.FIELD_NAME) {
                            String name = q.currentName();
                            q.nextToken();
                            if (name.equals("data")) readElements(file, q, out);
                            else q.skipChildren();
                        }
                    }
                } else {
                    out.add(new Payload(file, line, n.toString()));
                }
            } else if (first != null) {
                out.add(new Payload(file, 1, text.strip()));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Not JSON: the whole text is one payload, rejected with the parser's reason when mapped.
            out.clear();
            out.add(new Payload(file, 1, text.strip()));
        }
        return out;
    }

    private static void readElements(String file, JsonParser p, Deque<Payload> out) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            long line = p.currentTokenLocation().getLineNr();
            JsonNode n = p.readValueAsTree();
            out.add(new Payload(file, line, n.toString()));
        }
    }

    @Override
    public void close() throws IOException {
        if (lines != null) lines.close();
    }
}
