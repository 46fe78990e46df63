package io.churnradar.webhook;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a webhook URL or signing secret comes from: written in the settings file, or read from an
 * environment variable or a file when the sink's writer opens. Only the reference (the variable's
 * name, the file's path) is kept in the settings, so a secret never travels in the job graph, a
 * checkpoint, a log line or a dead letter.
 */
public final class ValueSource implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind { INLINE, ENV, FILE }

    public final Kind kind;
    /** The inline value, the variable's name or the file's path. */
    public final String ref;

    private ValueSource(Kind kind, String ref) {
        this.kind = kind;
        this.ref = ref;
    }

    public static ValueSource inline(String value) {
        return new ValueSource(Kind.INLINE, value);
    }

    public static ValueSource env(String name) {
        return new ValueSource(Kind.ENV, name);
    }

    public static ValueSource file(String path) {
        return new ValueSource(Kind.FILE, path);
    }

    /**
     * The value now; {@code what} names it in the error ("endpoint 'crm' url"), which never holds the value.
     *
     * @throws IllegalStateException when the variable is unset or the file unreadable
     */
    public String read(String what) {
        return switch (kind) {
            case INLINE -> ref;
            case ENV -> {
                String v = System.getenv(ref);
                if (v == null || v.isBlank()) {
                    throw new IllegalStateException(what + ": environment variable " + ref + " is not set");
                }
                yield v.strip();
            }
            case FILE -> {
                try {
                    String v = Files.readString(Path.of(ref)).strip(); // files usually end with a newline
                    if (v.isEmpty()) throw new IllegalStateException(what + ": file " + ref + " is empty");
                    yield v;
                } catch (IOException e) {
                    throw new IllegalStateException(what + ": cannot read file " + ref + " (" + e.getClass().getSimpleName() + ")");
                }
            }
        };
    }

    /** Names the source, never an inline value: that may be a URL whose path is its secret. */
    @Override
    public String toString() {
        return switch (kind) {
            case INLINE -> "inline";
            case ENV -> "env " + ref;
            case FILE -> "file " + ref;
        };
    }
}
