package io.churnradar.cluster;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The standalone cluster's classpath (Flink's runtime, client, web submission, RocksDB and log4j): resolved
 * by Maven from jobs/cluster/runtime-pom.xml, as flink-dist's lib/ would hold it, and cached in
 * jobs/target/cluster/ until that pom changes.
 */
final class FlinkRuntimeClasspath {
    private FlinkRuntimeClasspath() {}

    static String resolve(Path root, Path logDir) throws Exception {
        Path pom = root.resolve("jobs/cluster/runtime-pom.xml");
        Path cache = root.resolve("jobs/target/cluster/flink-runtime.classpath");
        if (Files.isRegularFile(cache) && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(pom)) > 0) {
            String cp = Files.readString(cache).trim();
            if (allExist(cp)) return cp;
        }
        Files.createDirectories(cache.getParent());
        Files.createDirectories(logDir);
        // Offline first (everything is in the local repository after a build); online only if something is missing.
        for (boolean offline : new boolean[] {true, false}) {
            List<String> cmd = new ArrayList<>(List.of(maven(), "-B", "-q"));
            if (offline) cmd.add("-o");
            cmd.addAll(List.of("-f", pom.toString(), "dependency:build-classpath", "-Dmdep.outputFile=" + cache));
            Path log = logDir.resolve("mvn-classpath.out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("mvn dependency:build-classpath took over 10 minutes; see " + log);
            }
            if (p.exitValue() == 0 && Files.isRegularFile(cache)) return Files.readString(cache).trim();
        }
        throw new IllegalStateException("could not resolve the cluster's classpath from " + pom + "; see " + logDir.resolve("mvn-classpath.out"));
    }

    private static boolean allExist(String cp) {
        for (String e : cp.split(File.pathSeparator)) {
            if (!new File(e).exists()) return false;
        }
        return !cp.isEmpty();
    }

    private static String maven() {
        String home = System.getProperty("maven.home");
        if (home != null && new File(home, "bin/mvn").canExecute()) return new File(home, "bin/mvn").getPath();
        return "mvn";
    }
}
