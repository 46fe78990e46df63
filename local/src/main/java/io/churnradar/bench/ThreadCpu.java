package io.churnradar.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * This JVM's CPU time by the kind of thread that spent it: the job's operators, its sources (reading and parsing),
 * the JIT compiler, the garbage collector and the VM, RocksDB's background flushes and compactions, and the rest
 * (Flink's runtime, the launcher). A pipeline's events per CPU-second count all of them; the split shows which moved
 * between two runs, and what a pipeline's own operators cost an event, apart from a compiler still warming up or a
 * collector.
 *
 * <p>Read from Linux's {@code /proc/self/task/TID/stat} (user and system ticks) and {@code comm} (the first 15 bytes
 * of the thread's name), sampled every {@code interval} by a daemon thread, because no Java API gives the CPU time
 * of the compiler's or the collector's threads, nor of a thread after it ended: a Flink task thread ends with its
 * job, so its CPU is taken from its last sample, and what it spent after that is counted as {@link Kind#ENDED}
 * (the process's CPU that no sampled thread accounts for). A task thread is one of Flink's thread group
 * {@value #FLINK_TASK_THREADS}; one whose name starts with "Source" is a source, as are its split fetchers and
 * its coordinator.
 */
public final class ThreadCpu implements AutoCloseable {
    /** The thread group of Flink's task threads (org.apache.flink.runtime.taskmanager.Task). */
    static final String FLINK_TASK_THREADS = "Flink Task Threads";
    /** Linux's USER_HZ, the unit of /proc's ticks: 100 on every architecture Flink runs on. */
    private static final double TICKS_PER_SECOND = 100;
    private static final int COMM_BYTES = 15;
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Why there is no split on this system. */
    public static final String UNAVAILABLE = "needs Linux's /proc/self/task, which this system does not have";

    /** Who spent the CPU. */
    public enum Kind {
        OPERATORS("operators"),
        SOURCES("sources"),
        JIT("JIT"),
        GC_AND_VM("GC and VM"),
        ROCKSDB("RocksDB background"),
        OTHER("runtime and rest"),
        ENDED("ended unsampled");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** What a thread is and the ticks it had spent at its last sample. */
    private static final class Seen {
        Kind kind;
        long ticks;
        /** Its name read a second time: a thread starts with its parent's name until the JVM sets its own. */
        boolean named;

        Seen(Kind kind, long ticks) {
            this.kind = kind;
            this.ticks = ticks;
        }
    }

    private final Map<String, Seen> threads = new HashMap<>();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Thread sampler;
    private volatile boolean closed;

    private ThreadCpu(Duration interval) {
        sample();
        sampler = new Thread(() -> {
            while (!closed) {
                try {
                    Thread.sleep(interval.toMillis()); // the sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }, "bench-thread-cpu");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Whether this system has the per-thread figures (Linux's /proc). */
    public static boolean available() {
        return Files.isDirectory(TASKS);
    }

    /** Starts sampling every {@code interval}. */
    public static ThreadCpu start(Duration interval) {
        if (!available()) throw new IllegalStateException("CPU by thread " + UNAVAILABLE);
        return new ThreadCpu(interval);
    }

    /** The CPU-seconds spent so far by each kind (a sample taken now), {@link Kind#ENDED} included. */
    public synchronized Map<Kind, Double> now() {
        sample();
        double process = os.getProcessCpuTime() / 1e9;
        Map<Kind, Double> seconds = new LinkedHashMap<>();
        for (Kind k : Kind.values()) seconds.put(k, 0.0);
        double sampled = 0;
        for (Seen s : threads.values()) {
            double v = s.ticks / TICKS_PER_SECOND;
            seconds.merge(s.kind, v, Double::sum);
            sampled += v;
        }
        seconds.put(Kind.ENDED, Math.max(0, process - sampled));
        return seconds;
    }

    /** {@code after} minus {@code before}, kind by kind. */
    public static Map<Kind, Double> between(Map<Kind, Double> before, Map<Kind, Double> after) {
        Map<Kind, Double> d = new LinkedHashMap<>();
        for (Kind k : Kind.values()) d.put(k, Math.max(0, after.getOrDefault(k, 0.0) - before.getOrDefault(k, 0.0)));
        return d;
    }

    private synchronized void sample() {
        Set<String> taskNames = taskThreadNames();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String tid = task.getFileName().toString();
                long ticks;
                try {
                    ticks = ticks(Files.readString(task.resolve("stat"), StandardCharsets.ISO_8859_1));
                } catch (IOException | RuntimeException ended) {
                    continue; // the thread ended since the folder was listed: its last sample stands
                }
                Seen s = threads.get(tid);
                if (s != null && s.named) {
                    s.ticks = ticks;
                    continue;
                }
                String name;
                try {
                    name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                } catch (IOException ended) {
                    continue;
                }
                if (s == null) {
                    threads.put(tid, new Seen(kind(name, taskNames), ticks));
                } else {
                    s.kind = kind(name, taskNames);
                    s.ticks = ticks;
                    s.named = true;
                }
            }
        } catch (IOException e) {
            // /proc is always listable while the process lives; a failed sample leaves the last one standing.
        }
    }

    /** User plus system ticks, fields 14 and 15 of stat; the name in field 2 may hold spaces and parentheses. */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The kind of a thread from its name as /proc shows it (15 bytes) and the names of Flink's task threads now. */
    static Kind kind(String comm, Set<String> taskThreadNames) {
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) return Kind.JIT;
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread") || comm.startsWith("VM Periodic")) {
            return Kind.GC_AND_VM;
        }
        if (comm.startsWith("Source")) return Kind.SOURCES;
        if (comm.startsWith("rocksdb:")) return Kind.ROCKSDB; // its flushes and compactions (its reads and writes run in the operators)
        for (String task : taskThreadNames) if (comm.equals(commOf(task))) return Kind.OPERATORS;
        return Kind.OTHER;
    }

    /** The name Linux keeps of a thread: its first 15 bytes, as the JVM sets it. */
    static String commOf(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        return b.length <= COMM_BYTES ? name : new String(b, 0, COMM_BYTES, StandardCharsets.UTF_8).strip();
    }

    private static Set<String> taskThreadNames() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        ThreadGroup[] groups = new ThreadGroup[root.activeGroupCount() + 16];
        int n = root.enumerate(groups, true);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (!FLINK_TASK_THREADS.equals(groups[i].getName())) continue;
            Thread[] ts = new Thread[groups[i].activeCount() + 16];
            int m = groups[i].enumerate(ts, true);
            for (int j = 0; j < m; j++) names.add(ts[j].getName());
        }
        return names;
    }

    @Override
    public void close() {
        closed = true;
        sampler.interrupt();
    }
}
