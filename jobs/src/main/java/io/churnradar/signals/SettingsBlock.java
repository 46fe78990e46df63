package io.churnradar.signals;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.alerts.Severity;
import io.churnradar.config.YamlTree;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One signal's block of a rules file ({@code signals.<key>}), read by the signal's own settings
 * reader: every value with its default and range, every error with its key path. Unknown keys are
 * reported as soon as the block is opened, before any value, as the rules file has always done.
 */
public final class SettingsBlock {
    private final YamlTree y;
    private final JsonNode node;
    private final String path;

    /** Opens {@code parent.key}, allowing {@code enabled}, {@code severity} and {@code keys}. */
    public SettingsBlock(YamlTree y, JsonNode parent, String parentPath, String key, List<String> keys) {
        this.y = y;
        this.node = YamlTree.child(parent, key);
        this.path = parentPath + "." + key;
        Set<String> allowed = new LinkedHashSet<>(List.of("enabled", "severity"));
        allowed.addAll(keys);
        y.onlyKeys(node, path, allowed);
    }

    public boolean enabled() {
        return y.bool(YamlTree.child(node, "enabled"), path + ".enabled", true);
    }

    public Severity severity(Severity dflt) {
        return y.enumValue(YamlTree.child(node, "severity"), path + ".severity", Severity.class, dflt);
    }

    public int integer(String key, int dflt, int min, int max) {
        return y.integer(YamlTree.child(node, key), path + "." + key, dflt, min, max);
    }

    public double number(String key, double dflt, double min, double max) {
        return y.number(YamlTree.child(node, key), path + "." + key, dflt, min, max);
    }

    /**
     * The problems reported so far, of the whole file. A rule across keys compares the values it read only when
     * none was reported while reading them: a rejected value reads as its default, which the user never wrote.
     */
    public int problems() {
        return y.errors().size();
    }

    /** Reports a problem with {@code key} of this block (a rule across keys, e.g. one bound below another). */
    public void error(String key, String message) {
        y.error(path + "." + key, message);
    }

    /** A list of distinct, non-empty names, e.g. {@code [reports, dashboards]}. */
    public List<String> names(String key, int maxCount) {
        JsonNode list = YamlTree.child(node, key);
        String p = path + "." + key;
        if (list.isMissingNode() || list.isNull()) return List.of();
        if (!list.isArray()) {
            y.error(p, "expected a list of feature names such as [reports, dashboards], got '" + list.asText() + "'");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isValueNode() || item.asText().isBlank()) {
                y.error(p + "[" + i + "]", "expected a non-empty feature name");
            } else if (!out.contains(item.asText().trim())) {
                out.add(item.asText().trim());
            }
        }
        if (out.size() > maxCount) {
            y.error(p, "at most " + maxCount + " core features, got " + out.size());
        }
        return List.copyOf(out);
    }

    /** A number as the error messages write it: 0.5, 3 (not 3.0). */
    public static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
