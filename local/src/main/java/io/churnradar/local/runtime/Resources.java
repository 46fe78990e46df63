package io.churnradar.local.runtime;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;

/** What a command started, closed in reverse order; one failure does not keep the rest open. */
public final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final PrintStream err;

    public Resources(PrintStream err) {
        this.err = err;
    }

    public <T extends AutoCloseable> T add(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable r = started.pop();
            try {
                r.close();
            } catch (Exception e) {
                err.println("warning: could not close " + r.getClass().getSimpleName() + ": " + e);
            }
        }
    }
}
