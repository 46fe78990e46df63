package io.churnradar.local.runtime;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.management.NotificationEmitter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * What happens when a launcher run ends other than by returning from its command: Ctrl-C, an error such as
 * OutOfMemoryError in any thread, or Flink's {@code FatalExitExceptionHandler} calling {@code System.exit(-17)}
 * (status 239) from inside the local MiniCluster. One JVM shutdown hook then lets a command that listens for
 * Ctrl-C ({@link StopSignal}) clean up in order, says what happened and what to change, stops what is still
 * running ({@link LocalFlink}, {@link EmbeddedKafka}) and deletes every {@link ScratchDir} still there.
 *
 * <p>Without it, such an end ran no {@code finally}: the scratch folders stayed, and nothing said why the run
 * stopped (Flink's log line of the error can itself fail when the heap is full).
 */
public final class RunGuard {
    private static final long STOP_WAIT_SECONDS = 90;
    private static final long CLOSE_WAIT_SECONDS = 20;
    /** Heap still in use after a garbage collection above this share of the maximum: the heap is full. */
    private static final double FULL = 0.9;

    private static final Set<ScratchDir> SCRATCH = ConcurrentHashMap.newKeySet();
    private static final Set<AutoCloseable> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Set<StopSignal> STOPS = ConcurrentHashMap.newKeySet();

    /**
     * Held (shared) while a scratch folder is created or Flink starts, taken (exclusive) by the shutdown hook: a start
     * in progress finishes first (and is then stopped), none begins after, so no folder reappears once deleted.
     */
    private static final ReentrantReadWriteLock GATE = new ReentrantReadWriteLock();

    private static Thread hook;
    /** Where the explanation goes; null unless a launcher run armed the guard (tests call commands directly). */
    private static volatile PrintStream err;
    private static volatile String commandLine = "./churn-radar";
    private static volatile boolean finished;
    private static volatile boolean explained;
    private static volatile boolean shuttingDown;
    private static volatile long heapUsedAfterGc = -1;
    /** An OutOfMemoryError some thread logged (Flink logs a task's failure; the job's own error may only say "restarted"). */
    private static volatile String outOfMemorySeen;

    private RunGuard() {}

    /** Called first by {@code Main.main}: from here on, any end of the run explains itself. */
    public static synchronized void arm(PrintStream stderr, String command) {
        err = stderr;
        commandLine = command;
        finished = false;
        explained = false;
        installHook();
        // Threads of ours and of libraries without a handler of their own (Flink's threads have one: it exits the JVM).
        Thread.setDefaultUncaughtExceptionHandler(RunGuard::uncaught);
        watchHeap();
        watchLog();
    }

    /** A line for the user on the launcher's standard error (the JVM's, when no launcher run armed the guard). */
    static void tell(String line) {
        PrintStream out = err != null ? err : System.err;
        out.println(line);
        out.flush();
    }

    /** Where an OutOfMemoryError was logged during this run ("Java heap space in thread 'x'"), or null. */
    public static String outOfMemorySeen() {
        return outOfMemorySeen;
    }

    /** The command returned (whatever its exit code) and cleaned up after itself: nothing left to explain. */
    public static void finished() {
        finished = true;
    }

    /** The command printed the explanation of its failure itself. */
    public static void explained() {
        explained = true;
    }

    /** Whether the JVM is shutting down: what fails now fails because of that, not on its own. */
    public static boolean shuttingDown() {
        return shuttingDown;
    }

    /** Runs the creation of something the hook must clean up: not once the JVM is shutting down. */
    static <T> T creating(LocalFlink.ThrowingSupplier<T> body) throws Exception {
        GATE.readLock().lock();
        try {
            if (shuttingDown) throw new IllegalStateException("the JVM is shutting down");
            return body.get();
        } finally {
            GATE.readLock().unlock();
        }
    }

    static void register(ScratchDir dir) {
        installHook();
        SCRATCH.add(dir);
    }

    static void unregister(ScratchDir dir) {
        SCRATCH.remove(dir);
    }

    /** Something to stop before its folders are deleted, should the JVM exit while it runs. */
    static void running(AutoCloseable resource) {
        installHook();
        RUNNING.add(resource);
    }

    static void stopped(AutoCloseable resource) {
        RUNNING.remove(resource);
    }

    static void register(StopSignal stop) {
        installHook();
        STOPS.add(stop);
    }

    static void unregister(StopSignal stop) {
        STOPS.remove(stop);
    }

    /** What to say and change when the heap ran out: the heap in use, and how to give the launcher more. */
    public static String outOfMemoryAdvice(String what, String command) {
        long maxMb = Runtime.getRuntime().maxMemory() >> 20;
        long usedMb = heapUsedAfterGc >= 0 ? heapUsedAfterGc >> 20 : -1;
        long suggestGb = Math.max(4, 2 * ((maxMb + 1023) / 1024));
        return "churn-radar: out of memory" + (what == null || what.isBlank() ? "" : " (" + what + ")") + " with a Java heap of "
                + maxMb + " MB" + (usedMb >= 0 ? " (" + usedMb + " MB still in use after garbage collection)" : "") + ".\n"
                + "  Give it more heap, e.g. CHURN_RADAR_JAVA_OPTS=-Xmx" + suggestGb + "g " + command + "\n"
                + "  (the machine's memory allows at most about what is free besides the OS)"
                + (command.matches(".* (backtest|train) .*") ? ", or run it over fewer files at a time" : "") + ". Temporary folders are removed.";
    }

    private static synchronized void installHook() {
        if (hook != null) return;
        hook = new Thread(RunGuard::onShutdown, "churn-radar-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private static void uncaught(Thread thread, Throwable e) {
        if (!(e instanceof VirtualMachineError)) {
            // What the JVM does without a handler; such a thread's end is its owner's business.
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace();
            return;
        }
        try {
            explained = true;
            PrintStream out = err != null ? err : System.err;
            out.println(e instanceof OutOfMemoryError
                    ? outOfMemoryAdvice(e.getMessage() + " in thread '" + thread.getName() + "'", commandLine)
                    : "churn-radar: fatal error in thread '" + thread.getName() + "': " + e + "; stopping.");
            out.flush();
        } catch (Throwable ignored) {
            // nothing more can be said; exit all the same
        }
        // A run missing a thread of its own cannot be trusted to finish (or to finish right): end it, and clean up.
        System.exit(1);
    }

    private static void onShutdown() {
        shuttingDown = true;
        // Ctrl-C while a command listens for it: it stops its work and cleans up in order itself (cancels the job,
        // stops the broker, deletes its folders); wait for that before touching anything.
        List<StopSignal> stops = new ArrayList<>(STOPS);
        stops.forEach(StopSignal::request);
        stops.forEach(s -> s.awaitCleanup(STOP_WAIT_SECONDS));

        PrintStream out = err;
        boolean abnormal = out != null && !finished;
        Map.Entry<Thread, StackTraceElement[]> exiting = exitingThread();
        if (abnormal && !explained) {
            String why = explanation(!stops.isEmpty(), exiting);
            if (why != null) {
                out.println(why);
                out.flush();
            }
        }
        if (bySignal(exiting)) ExpectedFailureLogging.silenceRuntime();
        List<String> removed = new ArrayList<>();
        boolean gate = false;
        try {
            gate = GATE.writeLock().tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Closing Flink or the broker deletes its own folder: note every folder there is now, to say which went.
        List<ScratchDir> folders = new ArrayList<>(SCRATCH);
        for (AutoCloseable r : new ArrayList<>(RUNNING)) {
            try {
                CompletableFuture.runAsync(() -> {
                    try {
                        r.close();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // it may be wedged by the error that ended the run; its folder is deleted below all the same
            }
        }
        for (ScratchDir d : new ArrayList<>(SCRATCH)) {
            if (!folders.contains(d)) folders.add(d);
            try {
                d.close();
            } catch (Exception e) {
                if (out != null) out.println("churn-radar: could not delete the temporary folder " + d.root() + ": " + e);
            }
        }
        for (ScratchDir d : folders) {
            if (!Files.exists(d.root())) removed.add(d.root().toString());
        }
        if (gate) GATE.writeLock().unlock();
        if (abnormal && !removed.isEmpty()) {
            out.println("churn-radar: removed the temporary folder" + (removed.size() == 1 ? " " : "s ") + String.join(", ", removed) + ".");
            out.flush();
        }
    }

    /** Why the JVM exits before the command returned: who asked, and what to change. */
    private static String explanation(boolean commandListens, Map.Entry<Thread, StackTraceElement[]> exiting) {
        String name = exiting == null ? null : exiting.getKey().getName();
        if (bySignal(exiting)) {
            // Ctrl-C (SIGINT) or kill (SIGTERM): a command that listens says "Interrupted" with its summary itself.
            return commandListens ? null : "churn-radar: interrupted (" + name.replace(" handler", "") + "); stopping and removing temporary folders.";
        }
        boolean flinkFatal = exiting != null && List.of(exiting.getValue()).stream()
                .anyMatch(f -> f.getClassName().equals("org.apache.flink.util.FatalExitExceptionHandler"));
        long used = Math.max(heapUsedAfterGc, usedAfterLastGc());
        heapUsedAfterGc = used;
        boolean heapFull = used >= FULL * Runtime.getRuntime().maxMemory() || outOfMemorySeen != null;
        String who = flinkFatal
                ? "Flink stopped the JVM (exit status 239) after an uncaught error in its thread '" + name + "'"
                : exiting == null ? "the JVM is shutting down before the command ended"
                : "the JVM was told to exit by thread '" + name + "' before the command ended";
        if (flinkFatal || heapFull) {
            return "churn-radar: " + who + (heapFull ? ": the heap was full.\n" : "; such an error is usually out of memory.\n")
                    + outOfMemoryAdvice(outOfMemorySeen, commandLine);
        }
        return "churn-radar: " + who + "; the log above says why. Temporary folders are removed.";
    }

    /** Whether the JVM ends because of Ctrl-C (SIGINT) or kill (SIGTERM): the thread exiting is the signal's handler. */
    private static boolean bySignal(Map.Entry<Thread, StackTraceElement[]> exiting) {
        return exiting != null && exiting.getKey().getName().startsWith("SIG");
    }

    /** The thread inside {@code System.exit} or a signal's handler, if any: who ends the JVM. */
    private static Map.Entry<Thread, StackTraceElement[]> exitingThread() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey() == Thread.currentThread()) continue;
            for (StackTraceElement f : e.getValue()) {
                if (f.getClassName().equals("java.lang.Shutdown") && f.getMethodName().equals("exit")) return e;
            }
        }
        return null;
    }

    /** Heap in use after the last collection, over every heap pool that reports it. */
    private static long usedAfterLastGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) used += pool.getCollectionUsage().getUsed();
        }
        return used;
    }

    /**
     * Notes every OutOfMemoryError that is logged with its exception: a task thread's is caught by Flink, which logs
     * it, fails the task and stops the task manager, and the command then sees only a restarted or cancelled job.
     */
    private static void watchLog() {
        try {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            AbstractAppender appender = new AbstractAppender("churn-radar-out-of-memory", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                        if (t instanceof OutOfMemoryError && outOfMemorySeen == null) {
                            outOfMemorySeen = t.getMessage() + " in thread '" + event.getThreadName() + "'";
                        }
                    }
                }
            };
            appender.start();
            ctx.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
            ctx.updateLoggers();
        } catch (RuntimeException | LinkageError e) {
            // another logging backend: the heap watch and the error itself still tell
        }
    }

    /**
     * Notes when a collection leaves the old generation nearly full: an OutOfMemoryError follows soon, and by the time
     * the JVM exits (its thread dead, its objects freed) the heap may no longer look full.
     */
    private static void watchHeap() {
        try {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                long max = pool.getUsage().getMax();
                if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported() && max > 0) {
                    pool.setCollectionUsageThreshold((long) (max * FULL));
                }
            }
            ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener((n, handback) -> {
                if (n.getType().equals(MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED)) {
                    heapUsedAfterGc = Math.max(heapUsedAfterGc, usedAfterLastGc());
                }
            }, null, null);
        } catch (RuntimeException e) {
            // a JVM without these beans: the explanation falls back on the usage seen at exit
        }
    }
}
