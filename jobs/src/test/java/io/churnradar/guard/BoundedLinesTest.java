package io.churnradar.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {

    /** Random lines of any bytes but line ends, some of them across the reader's 64 KB buffer. */
    private static List<byte[]> randomLines(long seed, int count, int maxLength) {
        Random r = new Random(seed);
        List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[r.nextInt(10) == 0 ? r.nextInt(maxLength) : r.nextInt(300)];
            for (int j = 0; j < b.length; j++) {
                byte x;
                do {
                    // Mostly ASCII, some bytes above it: valid and broken UTF-8 sequences alike.
                    x = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 32 + r.nextInt(95));
                } while (x == '\n' || x == '\r');
                b[j] = x;
            }
            lines.add(b);
        }
        return lines;
    }

    private static byte[] joined(List<byte[]> lines, Random ends) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] endings = {"\n", "\r\n", "\r"};
        for (int i = 0; i < lines.size(); i++) {
            out.writeBytes(lines.get(i));
            String end = endings[ends.nextInt(endings.length)];
            // A lone CR before an empty line would make CR LF, one end: the empty line would not be there to read.
            if (end.equals("\r") && i + 1 < lines.size() && lines.get(i + 1).length == 0) end = "\n";
            out.writeBytes(end.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static List<BoundedLines.Line> read(byte[] bytes, int limit) throws IOException {
        List<BoundedLines.Line> out = new ArrayList<>();
        try (BoundedLines r = new BoundedLines(new ByteArrayInputStream(bytes), limit)) {
            for (BoundedLines.Line l = r.next(); l != null; l = r.next()) out.add(l);
        }
        return out;
    }

    @Test
    void decodesEveryLineAsAReplacingUtf8DecoderDoes() throws Exception {
        List<byte[]> lines = randomLines(5, 2_000, 200_000);
        List<BoundedLines.Line> read = read(joined(lines, new Random(6)), Integer.MAX_VALUE - 16);

        assertThat(read).hasSize(lines.size());
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        for (int i = 0; i < lines.size(); i++) {
            String expected = decoder.reset().decode(ByteBuffer.wrap(lines.get(i))).toString();
            assertThat(read.get(i).oversize).isNull();
            assertThat(read.get(i).text).as("line %d", i).isEqualTo(expected);
        }
    }

    @Test
    void keepsThePrefixSizeAndHashOfEveryLineAboveTheLimit() throws Exception {
        int limit = 1_000;
        List<byte[]> lines = randomLines(7, 500, 150_000);
        List<BoundedLines.Line> read = read(joined(lines, new Random(8)), limit);

        assertThat(read).hasSize(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i);
            BoundedLines.Line l = read.get(i);
            if (line.length <= limit) {
                assertThat(l.oversize).as("line %d", i).isNull();
                assertThat(l.text).as("line %d", i).isEqualTo(new String(line, StandardCharsets.UTF_8));
                continue;
            }
            assertThat(l.text).isNull();
            assertThat(l.oversize.size).as("line %d", i).isEqualTo(line.length);
            assertThat(l.oversize.prefix).as("line %d", i).isEqualTo(java.util.Arrays.copyOf(line, Math.min(limit, Oversize.KEPT_BYTES)));
            assertThat(l.oversize.sha256).as("line %d", i)
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line)));
        }
    }

    @Test
    void anEmptyStreamHasNoLineAndALastLineNeedsNoEnd() throws Exception {
        assertThat(read(new byte[0], 100)).isEmpty();
        List<BoundedLines.Line> read = read("a\n\nb".getBytes(StandardCharsets.UTF_8), 100);
        assertThat(read).extracting(l -> l.text).containsExactly("a", "", "b");
    }

    @Test
    void aByteOrderMarkAtTheStartIsNotPartOfTheFirstLine() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(bom);
        file.writeBytes("{\"a\":1}\r\n".getBytes(StandardCharsets.UTF_8));
        file.writeBytes(bom);
        file.writeBytes("{\"b\":2}\r\n".getBytes(StandardCharsets.UTF_8));
        // Read whole, and a byte at a time, as a slow stream hands it over.
        for (boolean slow : new boolean[] {false, true}) {
            ByteArrayInputStream bytes = new ByteArrayInputStream(file.toByteArray());
            java.io.InputStream in = !slow ? bytes : new java.io.FilterInputStream(bytes) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return super.read(b, off, Math.min(1, len));
                }
            };
            BoundedLines lines = new BoundedLines(in, 1000);
            assertThat(lines.next().text).isEqualTo("{\"a\":1}");
            assertThat(lines.next().text).isEqualTo("\uFEFF{\"b\":2}"); // only the stream's first is a mark
            assertThat(lines.next()).isNull();
        }
        assertThat(new BoundedLines(new ByteArrayInputStream(bom), 1000).next()).isNull();
        assertThat(new BoundedLines(new ByteArrayInputStream(new byte[] {(byte) 0xEF, 'x'}), 1000).next().text).isEqualTo("\uFFFDx");
    }

    @Test
    void theBytesOfALineThatIsNotUtf8AreKeptBesideItsText() throws IOException {
        byte[] bad = {'a', (byte) 0xC3, '(', 'b', '\n', 'o', 'k', ' ', (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, '\n'};
        BoundedLines lines = new BoundedLines(new ByteArrayInputStream(bad), 1000);
        BoundedLines.Line first = lines.next();
        assertThat(first.text).isEqualTo("a\uFFFD(b");
        assertThat(first.malformed).containsExactly('a', (byte) 0xC3, '(', 'b');
        BoundedLines.Line second = lines.next(); // a U+FFFD written as UTF-8 is text like any other
        assertThat(second.text).isEqualTo("ok \uFFFD");
        assertThat(second.malformed).isNull();
    }
}
