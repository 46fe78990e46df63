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
 * The payloads of one file, in order: a line each in JSON Lines ({@code .jsonl}, {@code .jsonl.gz}, and a
 * {@code .json} file that holds JSON Lines); in another {@code .json} file the one object it holds, each element of
 * an array, or each of the {@code data} of a Stripe list object (as {@code stripe events list} prints it), with the
 * line it starts on.
 */
public final class PayloadFile implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One payload: where it is, and its text; of a line above the size limit only the first bytes, with
     * its oversize (null otherwise).
     */
    public record Payload(String file, long line, String text, Oversize oversize, byte[] malformed) {
        public Payload(String file, long line, String text) {
            this(file, line, text, null, null);
        }

        public Payload(String file, long line, String text, Oversize oversize) {
            this(file, line, text, oversize, null);
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
        if (file.endsWith(".json") && !holdsJsonLines(path, maxLineBytes)) {
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
        return new Payload(file, ++lineNo, line.text, null, line.malformed);
    }

    /**
     * Whether a {@code .json} file is JSON Lines under another name, as exports often are: its first line that is not
     * blank is a whole JSON object by itself, and more follows it; or two of its first {@link #LINES_LOOKED_AT} lines
     * that are not blank are (the first line broken or too long). Read as one document, only its first event would
     * count, or, broken at its first line, none: every line one dead letter. A document's lines are not whole objects
     * but for the last element of an array written one to a line (the others end with a comma).
     */
    static boolean holdsJsonLines(Path path, int maxLineBytes) throws IOException {
        try (BoundedLines lines = new BoundedLines(Files.newInputStream(path), maxLineBytes)) {
            int looked = 0;
            int whole = 0;
            boolean firstWhole = false;
            for (BoundedLines.Line l = lines.next(); l != null && looked < LINES_LOOKED_AT; l = lines.next()) {
                if (l.text != null && l.text.isBlank()) continue;
                looked++;
                if (l.text != null && isWholeObject(l.text)) {
                    if (looked == 1) firstWhole = true;
                    whole++;
                }
                if (looked >= 2 && (firstWhole || whole >= 2)) return true;
            }
            return false;
        }
    }

    /** The lines that are not blank {@link #holdsJsonLines} looks at. */
    static final int LINES_LOOKED_AT = 20;

    private static boolean isWholeObject(String line) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return false;
            p.skipChildren();
            return p.nextToken() == null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    /**
     * The payloads of a {@code .json} document: of each JSON value in it (one, usually), the object, each element of
     * an array, or the items of a Stripe list. Text that is not JSON, from where the value it breaks began to the end,
     * is one more payload, rejected with the parser's reason when mapped: nothing in the file is passed over.
     */
    private static Deque<Payload> jsonDocument(String file, Path path) throws IOException {
        Deque<Payload> out = new ArrayDeque<>();
        String text = Files.readString(path, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte order mark is not part of the JSON
        long valueOffset = 0;
        long valueLine = 1;
        try (JsonParser p = JSON.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                valueOffset = p.currentTokenLocation().getCharOffset();
                valueLine = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.START_ARRAY) {
                    readElements(file, p, out);
                } else if (t == JsonToken.START_OBJECT) {
                    JsonNode n = p.readValueAsTree();
                    if ("list".equals(n.path("object").asText()) && n.path("data").isArray()) {
                        // A Stripe list: its items again, with where each starts.
                        try (JsonParser q = JSON.createParser(text.substring((int) valueOffset))) {
                            q.nextToken();
                            while (q.nextToken() == JsonToken.FIELD_NAME) {
                                String name = q.currentName();
                                q.nextToken();
                                if (name.equals("data")) readElements(file, q, out, valueLine - 1);
                                else q.skipChildren();
                            }
                        }
                    } else {
                        out.add(new Payload(file, valueLine, n.toString()));
                    }
                } else {
                    // A bare value, as written (a string's quotes kept): rejected when mapped as not an object.
                    p.finishToken(); // a string is read lazily: its end is known once it is
                    out.add(new Payload(file, valueLine, text.substring((int) valueOffset, (int) p.currentLocation().getCharOffset())));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Not JSON from this value on: the rest is one payload, rejected with the parser's reason when mapped.
            String rest = text.substring((int) Math.min(valueOffset, text.length())).strip();
            if (!rest.isEmpty()) out.add(new Payload(file, valueLine, rest));
        }
        return out;
    }

    private static void readElements(String file, JsonParser p, Deque<Payload> out) throws IOException {
        readElements(file, p, out, 0);
    }

    private static void readElements(String file, JsonParser p, Deque<Payload> out, long linesBefore) throws IOException {
        while (p.nextToken() != JsonToken.END_ARRAY) {
            long line = linesBefore + p.currentTokenLocation().getLineNr();
            JsonNode n = p.readValueAsTree();
            out.add(new Payload(file, line, n.toString()));
        }
    }

    @Override
    public void close() throws IOException {
        if (lines != null) lines.close();
    }
}
