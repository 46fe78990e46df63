package io.churnradar.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;

/**
 * Resolves {@code ${file:/path/to/secret}} in Kafka client properties to the file's content (without
 * its trailing newline), the form secrets mounted by Kubernetes or Docker take. Kafka's own
 * {@code FileConfigProvider} reads a key of a properties file instead; this one reads the whole file.
 * It runs inside each Kafka client as it is created (on the TaskManager for the job's sources and
 * sinks), so the secret never travels in the job graph; an error names the file, never its content.
 */
public final class FileSecretConfigProvider implements ConfigProvider {
    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public ConfigData get(String path) {
        return new ConfigData(Map.of());
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        // ${file:/a/b} parses as no path and key "/a/b"; ${file:C:/a} (a drive letter) as path "C", key "/a".
        Map<String, String> out = new HashMap<>();
        for (String key : keys) {
            String file = path == null || path.isEmpty() ? key : path + ":" + key;
            try {
                out.put(key, Files.readString(Path.of(file)).strip());
            } catch (IOException | RuntimeException e) {
                throw new ConfigException("cannot read the secret file " + file + ": " + e.getClass().getSimpleName());
            }
        }
        return new ConfigData(out);
    }

    @Override
    public void close() {}
}
