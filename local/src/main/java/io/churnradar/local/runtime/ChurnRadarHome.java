package io.churnradar.local.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the repository is: the launcher script passes it as {@code -Dchurnradar.home}; tests and IDE
 * runs find it by walking up from the working directory to the folder that holds {@code flink-conf/}.
 */
public final class ChurnRadarHome {
    public static final String PROPERTY = "churnradar.home";

    private ChurnRadarHome() {}

    public static Path root() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("flink-conf/local/config.yaml"))) return p;
        }
        throw new IllegalStateException("cannot find the Churn Radar folder (flink-conf/local/config.yaml) above "
                + Path.of("").toAbsolutePath() + "; run ./churn-radar or set -D" + PROPERTY);
    }

    public static Path flinkConfDir() {
        return root().resolve("flink-conf/local");
    }
}
