package io.churnradar.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Surefire gives this module's test JVM a temp folder of its own (local/pom.xml); it must exist before
 * any test makes a temp dir in it, whichever test class runs first.
 */
public final class TestTmp {
    private TestTmp() {}

    public static Path ensure() {
        try {
            return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
