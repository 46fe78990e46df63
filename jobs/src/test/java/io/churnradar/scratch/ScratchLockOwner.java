package io.churnradar.scratch;

import java.nio.file.Path;

/** The child JVM of {@link ScratchLockTest}: holds a scratch folder's lock until it is killed. */
public final class ScratchLockOwner {
    private ScratchLockOwner() {}

    public static void main(String[] args) throws Exception {
        ScratchLock.take(Path.of(args[0]));
        // Waits until killed: the test ends it with SIGKILL, and its standard input stays open until then.
        while (System.in.read() >= 0) {
            // nothing to read
        }
    }
}
