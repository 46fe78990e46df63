package io.churnradar.local.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code ./churn-radar --version}: Churn Radar's version (from the build) and those of the Flink, Kafka clients and
 * Java it runs on, as each reports its own, for a bug report or a check before a cluster upgrade.
 */
final class VersionProvider implements IVersionProvider {
    static final String RESOURCE = "/churn-radar-version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "churn-radar " + churnRadar(),
            "  Flink " + EnvironmentInformation.getVersion() + ", Kafka clients " + AppInfoParser.getVersion()
                    + ", Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }

    /** The project's version the build wrote into {@link #RESOURCE}. */
    static String churnRadar() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing: build with mvn package");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
