package io.churnradar.local.command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A result file written beside its place under a hidden name ({@code .NAME.partial}) and moved there once whole, so
 * that a run that fails or is stopped leaves no file that looks complete: a converted history cut off at a broken
 * input, or half an export, would otherwise be read as the whole.
 */
final class PartialFile implements AutoCloseable {
    private final Path target;
    private final Path path;

    private PartialFile(Path target) {
        this.target = target;
        this.path = target.resolveSibling("." + target.getFileName() + ".partial");
        path.toFile().deleteOnExit(); // also when Ctrl-C or SIGTERM ends the run
    }

    static PartialFile beside(Path target) {
        return new PartialFile(target);
    }

    /** Where to write. */
    Path path() {
        return path;
    }

    /** The file is whole: it takes the place of the target (replacing an earlier one). */
    void moveIntoPlace() throws IOException {
        Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes what is left of a file that was not moved into place. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(path);
    }
}
