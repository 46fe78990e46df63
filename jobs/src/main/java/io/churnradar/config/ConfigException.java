package io.churnradar.config;

import java.util.List;

/** A configuration or rules file that cannot be used: names the file and every offending key. */
public class ConfigException extends RuntimeException {
    private final List<String> errors;

    public ConfigException(String source, List<String> errors) {
        super(source + ": " + errors.size() + (errors.size() == 1 ? " problem" : " problems") + "\n  " + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
