package io.churnradar.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Every log line of the JVM while it runs (the MiniCluster's TaskManager runs here too): WARN and
 * above from everything, INFO from Kafka's clients, Flink's Kafka connector and our own code, which
 * is where client settings are logged.
 */
final class LogCapture extends AbstractAppender {
    private static final List<String> VERBOSE = List.of("org.apache.kafka", "org.apache.flink.connector.kafka", "io.churnradar");
    private final StringBuffer text = new StringBuffer();
    private final Map<String, LoggerConfig> added = new HashMap<>();
    private final Map<String, Level> levels = new HashMap<>();
    private final Map<String, Boolean> additive = new HashMap<>();

    private LogCapture() {
        super("capture", null, PatternLayout.createDefaultLayout(), true, Property.EMPTY_ARRAY);
    }

    static LogCapture begin() {
        LogCapture c = new LogCapture();
        c.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.addAppender(c);
        config.getRootLogger().addAppender(c, Level.WARN, null);
        for (String name : VERBOSE) {
            LoggerConfig existing = config.getLoggers().get(name);
            if (existing != null) {
                c.levels.put(name, existing.getLevel());
                c.additive.put(name, existing.isAdditive());
                existing.setLevel(Level.INFO);
                existing.setAdditive(false);
                existing.addAppender(c, Level.INFO, null);
            } else {
                // Not additive: INFO goes to the capture only, the console stays as quiet as before.
                LoggerConfig lc = new LoggerConfig(name, Level.INFO, false);
                lc.addAppender(c, Level.INFO, null);
                config.addLogger(name, lc);
                c.added.put(name, lc);
            }
        }
        ctx.updateLoggers();
        return c;
    }

    @Override
    public void append(LogEvent event) {
        text.append(event.getLoggerName()).append(' ').append(event.getMessage().getFormattedMessage()).append('\n');
        if (event.getThrown() != null) {
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) text.append(t).append('\n');
        }
    }

    String text() {
        return text.toString();
    }

    @Override
    public void stop() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.getRootLogger().removeAppender(getName());
        for (String name : added.keySet()) config.removeLogger(name);
        for (Map.Entry<String, Level> e : levels.entrySet()) {
            LoggerConfig lc = config.getLoggers().get(e.getKey());
            lc.removeAppender(getName());
            lc.setLevel(e.getValue());
            lc.setAdditive(additive.get(e.getKey()));
        }
        ctx.updateLoggers();
        super.stop();
    }
}
