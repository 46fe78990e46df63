package io.churnradar.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM started as its own process, its output going to a log file in the suite's work folder. */
final class ChildJvm {
    final String name;
    final Path log;
    private final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(String name, Path logDir, List<String> jvmArgs, String classpath, String mainClass, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        Path log = logDir.resolve(name + ".out");
        Files.createDirectories(logDir);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ChildJvm(name, log, p);
    }

    /** Runs a JVM to its end and returns its output; fails on a non-zero exit. */
    static String run(String name, Path logDir, List<String> jvmArgs, String classpath, String mainClass, List<String> args)
            throws Exception {
        ChildJvm jvm = start(name, logDir, jvmArgs, classpath, mainClass, args);
        if (!jvm.process.waitFor(5, TimeUnit.MINUTES)) {
            jvm.process.destroyForcibly();
            throw new IllegalStateException(name + " did not end within 5 minutes; see " + jvm.log);
        }
        String out = Files.readString(jvm.log);
        if (jvm.process.exitValue() != 0) throw new IllegalStateException(name + " failed (exit " + jvm.process.exitValue() + "): " + out);
        return out;
    }

    static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** kill -9: the process gets no chance to clean up, as when a machine or container dies. */
    void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux and macOS
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not ended within the grace period. */
    void stop(long graceSeconds) throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
