package io.churnradar.backtest.results;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * One JSON line written straight with Jackson's streaming generator: the backtest writes a line per
 * health update, alert and decision, and building a tree of nodes for each (ObjectNode) cost more than
 * the detection itself. The text is the same as the tree's {@code toString()}: compact, fields in the
 * order written, numbers and escapes by the same generator, a null value as {@code null}.
 */
final class JsonLine {
    private static final JsonFactory FACTORY = new JsonFactory();
    /**
     * A writer and generator per thread, reused from line to line: the sinks write a line per record,
     * and a new StringWriter (synchronized, grown by copies) and generator per line showed in profiles.
     */
    private static final ThreadLocal<JsonLine> LINES = ThreadLocal.withInitial(JsonLine::new);

    interface Body {
        void write(JsonLine line) throws IOException;
    }

    private final Chars out = new Chars();
    private final JsonGenerator g;

    private JsonLine() {
        try {
            g = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // One line after another at the root: nothing between them (the default separator is a space).
        g.setRootValueSeparator(null);
    }

    /** The object {@code body} writes, as one line of text. */
    static String object(Body body) {
        JsonLine line = LINES.get();
        try {
            line.out.text.setLength(0);
            line.g.writeStartObject();
            body.write(line);
            line.g.writeEndObject();
            line.g.flush();
            return line.out.text.toString();
        } catch (IOException | RuntimeException e) {
            LINES.remove(); // a line left half written: the next one starts with a fresh generator
            if (e instanceof IOException io) throw new UncheckedIOException(io); // a Chars writer does not fail
            throw (RuntimeException) e;
        }
    }

    /** A Writer into a StringBuilder: unsynchronized, and its buffer kept from line to line. */
    private static final class Chars extends Writer {
        final StringBuilder text = new StringBuilder(1024);

        @Override
        public void write(char[] c, int off, int len) {
            text.append(c, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
            text.append(s, off, off + len);
        }

        @Override
        public void write(int c) {
            text.append((char) c);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    JsonLine put(String name, String value) throws IOException {
        if (value == null) g.writeNullField(name);
        else g.writeStringField(name, value);
        return this;
    }

    JsonLine put(String name, Integer value) throws IOException {
        if (value == null) g.writeNullField(name);
        else g.writeNumberField(name, value.intValue());
        return this;
    }

    JsonLine put(String name, Double value) throws IOException {
        if (value == null) g.writeNullField(name);
        else g.writeNumberField(name, value.doubleValue());
        return this;
    }

    JsonLine put(String name, long value) throws IOException {
        g.writeNumberField(name, value);
        return this;
    }

    JsonLine put(String name, double value) throws IOException {
        g.writeNumberField(name, value);
        return this;
    }

    JsonLine put(String name, boolean value) throws IOException {
        g.writeBooleanField(name, value);
        return this;
    }

    JsonLine startObject(String name) throws IOException {
        g.writeObjectFieldStart(name);
        return this;
    }

    JsonLine startArray(String name) throws IOException {
        g.writeArrayFieldStart(name);
        return this;
    }

    JsonLine startObject() throws IOException {
        g.writeStartObject();
        return this;
    }

    JsonLine endObject() throws IOException {
        g.writeEndObject();
        return this;
    }

    JsonLine endArray() throws IOException {
        g.writeEndArray();
        return this;
    }
}
