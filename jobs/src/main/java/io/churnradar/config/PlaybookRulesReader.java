package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import io.churnradar.play.Action;
import io.churnradar.play.DefaultPlaybooks;
import io.churnradar.play.Playbook;
import io.churnradar.play.PlaybookEngine;
import io.churnradar.play.PlaybookRules;
import io.churnradar.play.Segment;
import io.churnradar.play.Step;
import io.churnradar.play.Trigger;
import io.churnradar.signals.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code commands} (policy) and {@code playbooks} blocks of a rules file. A playbook block
 * that names a shipped playbook replaces the keys it gives (each of enabled, trigger, holdoutPercent
 * and steps as a whole); any other name defines a new playbook, which needs a trigger and steps.
 */
final class PlaybookRulesReader {
    private static final Duration MAX_DELAY = Duration.ofDays(366);
    private static final Set<String> PLAYBOOK_KEYS = Set.of("enabled", "trigger", "holdoutPercent", "steps");
    private static final Set<String> STEP_KEYS = Set.of("action", "params", "delay", "beforeExpiry", "variants");
    private static final Set<String> SEGMENT_KEYS = Set.of("plans", "minMrrMinor", "maxMrrMinor", "minTenureDays");

    private final YamlTree y;

    PlaybookRulesReader(YamlTree y) {
        this.y = y;
    }

    PlaybookRules read(JsonNode commands, JsonNode playbooks) {
        y.onlyKeys(commands, "commands", Set.of("enabled", "frequencyCap", "holdoutPercent", "outcomeWindowDays"));
        boolean on = y.bool(YamlTree.child(commands, "enabled"), "commands.enabled", true);
        JsonNode cap = YamlTree.child(commands, "frequencyCap");
        y.onlyKeys(cap, "commands.frequencyCap", Set.of("max", "windowDays"));
        int capMax = y.integer(YamlTree.child(cap, "max"), "commands.frequencyCap.max", 3, 1, PlaybookRules.MAX_CAP);
        int capDays = y.integer(YamlTree.child(cap, "windowDays"), "commands.frequencyCap.windowDays", 7, 1, 90);
        double holdout = y.number(YamlTree.child(commands, "holdoutPercent"), "commands.holdoutPercent",
                DefaultPlaybooks.HOLDOUT_PERCENT, 0, 100);
        int outcomeDays = y.integer(YamlTree.child(commands, "outcomeWindowDays"), "commands.outcomeWindowDays", 60, 1, 365);

        Map<String, Playbook> byName = new LinkedHashMap<>();
        for (Playbook p : DefaultPlaybooks.all(holdout)) byName.put(p.name, p);
        if (!playbooks.isMissingNode() && !playbooks.isNull()) {
            if (!playbooks.isObject()) {
                y.error("playbooks", "expected a mapping of playbook names to playbooks");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = playbooks.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    Playbook p = playbook(f.getKey(), f.getValue(), byName.get(f.getKey()), holdout);
                    if (p != null) byName.put(p.name, p);
                }
            }
        }
        if (byName.size() > PlaybookRules.MAX_PLAYBOOKS) {
            y.error("playbooks", "at most " + PlaybookRules.MAX_PLAYBOOKS + " playbooks, got " + byName.size());
        }
        // Switched off as a whole: alerts only, no playbook starts (the definitions are still checked).
        return new PlaybookRules(capMax, capDays, outcomeDays, on ? List.copyOf(byName.values()) : List.of());
    }

    private Playbook playbook(String name, JsonNode n, Playbook shipped, double defaultHoldout) {
        String path = "playbooks." + name;
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            y.error(path, "a playbook name is 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit");
            return null;
        }
        if (!n.isObject()) {
            y.error(path, "expected a mapping with keys " + String.join(", ", PLAYBOOK_KEYS.stream().sorted().toList()));
            return null;
        }
        y.onlyKeys(n, path, PLAYBOOK_KEYS);
        boolean enabled = y.bool(YamlTree.child(n, "enabled"), path + ".enabled", true);
        JsonNode triggerNode = YamlTree.child(n, "trigger");
        JsonNode stepsNode = YamlTree.child(n, "steps");
        if (shipped == null && (triggerNode.isMissingNode() || stepsNode.isMissingNode())) {
            y.error(path, "a new playbook needs a trigger and steps (shipped playbooks: "
                    + String.join(", ", PlaybookRules.defaults().playbooks.stream().map(p -> p.name).toList()) + ")");
            return null;
        }
        Trigger trigger = triggerNode.isMissingNode() ? shipped.trigger : trigger(triggerNode, path + ".trigger");
        double holdout = y.number(YamlTree.child(n, "holdoutPercent"), path + ".holdoutPercent",
                shipped != null ? shipped.holdoutPercent : defaultHoldout, 0, 100);
        List<Step> steps = stepsNode.isMissingNode() ? shipped.steps : steps(stepsNode, path + ".steps", trigger);
        if (stepsNode.isMissingNode() && !triggerNode.isMissingNode() && !knowsExpiry(trigger)
                && steps.stream().anyMatch(st -> st.beforeExpiryMs != Step.NOT_SET)) {
            // The shipped steps stay, and they are timed by an expiry that the new trigger's alerts do not carry.
            y.error(path + ".trigger", "the shipped steps of '" + name + "' fall due before the card's expiry (beforeExpiry), which only a"
                    + " playbook triggered by CARD_EXPIRING alone knows; keep signals: [CARD_EXPIRING], or give steps with delay");
        }
        return new Playbook(name, enabled, trigger, holdout, steps);
    }

    /** Whether the alerts that start this trigger's playbook carry a card's expiry: CARD_EXPIRING alone. */
    private static boolean knowsExpiry(Trigger trigger) {
        return trigger != null && trigger.signals.equals(List.of(Signal.CARD_EXPIRING.name()));
    }

    private Trigger trigger(JsonNode n, String path) {
        y.onlyKeys(n, path, Set.of("signals", "minSeverity", "tiers", "segment"));
        List<String> allowed = new ArrayList<>();
        allowed.add(Trigger.ANY_SIGNAL);
        for (Signal s : Signal.values()) allowed.add(s.name());
        List<String> signals = names(YamlTree.child(n, "signals"), path + ".signals", allowed);
        JsonNode named = YamlTree.child(n, "signals");
        // Only when none was named: a list of misspelled names has had each of them reported by names().
        boolean noneNamed = named.isMissingNode() || named.isNull() || named.isArray() && named.isEmpty();
        if (signals.isEmpty() && noneNamed) y.error(path + ".signals", "name at least one signal; allowed: " + String.join(", ", allowed));
        Severity min = y.enumValue(YamlTree.child(n, "minSeverity"), path + ".minSeverity", Severity.class, Severity.LOW);
        List<String> tierNames = new ArrayList<>();
        for (HealthTier t : HealthTier.values()) tierNames.add(t.name());
        List<String> tiers = names(YamlTree.child(n, "tiers"), path + ".tiers", tierNames);
        return new Trigger(signals, min, tiers, segment(YamlTree.child(n, "segment"), path + ".segment"));
    }

    private Segment segment(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) return Segment.ANY;
        y.onlyKeys(n, path, SEGMENT_KEYS);
        List<String> plans = names(YamlTree.child(n, "plans"), path + ".plans", null);
        long min = wholeOrOpen(YamlTree.child(n, "minMrrMinor"), path + ".minMrrMinor");
        long max = wholeOrOpen(YamlTree.child(n, "maxMrrMinor"), path + ".maxMrrMinor");
        if (min >= 0 && max >= 0 && max <= min) y.error(path + ".maxMrrMinor", "must be above minMrrMinor (" + min + "), got " + max);
        int tenure = y.integer(YamlTree.child(n, "minTenureDays"), path + ".minTenureDays", 0, 0, 36_500);
        return new Segment(plans, min, max, tenure);
    }

    private long wholeOrOpen(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) return -1;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            y.error(path, "expected a whole number of minor currency units, 0 or more (e.g. 50000 for 500.00), got '" + n.asText() + "'");
            return -1;
        }
        return n.asLong();
    }

    private List<Step> steps(JsonNode n, String path, Trigger trigger) {
        if (!n.isArray() || n.isEmpty()) {
            y.error(path, "expected a list of steps, each with an action (allowed: " + actionNames() + ")");
            return List.of();
        }
        if (n.size() > PlaybookRules.MAX_STEPS) y.error(path, "at most " + PlaybookRules.MAX_STEPS + " steps, got " + n.size());
        boolean cardOnly = knowsExpiry(trigger);
        List<Step> steps = new ArrayList<>();
        List<Integer> at = new ArrayList<>(); // each step's index in the file, for messages
        for (int i = 0; i < n.size(); i++) {
            String sp = path + "[" + i + "]";
            JsonNode s = n.get(i);
            y.onlyKeys(s, sp, STEP_KEYS);
            Action action = y.enumValue(YamlTree.child(s, "action"), sp + ".action", Action.class, null);
            if (action == null && (YamlTree.child(s, "action").isMissingNode())) y.error(sp + ".action", "missing; allowed: " + actionNames());
            int timingProblems = y.errors().size();
            Duration delay = y.duration(YamlTree.child(s, "delay"), sp + ".delay", Duration.ZERO, Duration.ZERO, MAX_DELAY);
            JsonNode beforeNode = YamlTree.child(s, "beforeExpiry");
            long before = Step.NOT_SET;
            if (!beforeNode.isMissingNode() && !beforeNode.isNull()) {
                if (!cardOnly) {
                    y.error(sp + ".beforeExpiry", "only a playbook triggered by CARD_EXPIRING alone knows an expiry; use delay");
                } else if (!YamlTree.child(s, "delay").isMissingNode()) {
                    y.error(sp, "give delay or beforeExpiry, not both");
                }
                before = y.duration(beforeNode, sp + ".beforeExpiry", Duration.ZERO, Duration.ZERO, MAX_DELAY).toMillis();
            }
            // A step whose timing was rejected is left out of the order check: its default timing is not the user's.
            boolean timed = y.errors().size() == timingProblems;
            Map<String, String> params = params(YamlTree.child(s, "params"), sp + ".params");
            List<Step.Variant> variants = variants(YamlTree.child(s, "variants"), sp + ".variants");
            if (action != null && timed) {
                steps.add(new Step(action, params, delay.toMillis(), before, variants));
                at.add(i);
            }
        }
        for (int i = 1; i < steps.size(); i++) {
            Step a = steps.get(i - 1);
            Step b = steps.get(i);
            boolean inOrder = a.beforeExpiryMs != Step.NOT_SET && b.beforeExpiryMs != Step.NOT_SET
                    ? b.beforeExpiryMs <= a.beforeExpiryMs
                    : a.beforeExpiryMs == Step.NOT_SET && b.beforeExpiryMs == Step.NOT_SET && b.delayMs >= a.delayMs;
            if (!inOrder) {
                y.error(path + "[" + at.get(i) + "]", "steps must come in the order they fall due (delays rising, beforeExpiry falling, not mixed)");
            }
        }
        return steps;
    }

    private List<Step.Variant> variants(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isArray()) {
            y.error(path, "expected a list of {when: SEGMENT, params: {...}}");
            return List.of();
        }
        List<Step.Variant> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String vp = path + "[" + i + "]";
            y.onlyKeys(n.get(i), vp, Set.of("when", "params"));
            out.add(new Step.Variant(segment(YamlTree.child(n.get(i), "when"), vp + ".when"), params(YamlTree.child(n.get(i), "params"), vp + ".params")));
        }
        return out;
    }

    private Map<String, String> params(JsonNode n, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n.isMissingNode() || n.isNull()) return out;
        if (!n.isObject()) {
            y.error(path, "expected a mapping of parameter names to values");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (!p.getValue().isValueNode()) {
                y.error(path + "." + p.getKey(), "expected a text, number or true/false");
            } else if (p.getKey().toLowerCase().contains("secret") || p.getKey().toLowerCase().contains("token")) {
                y.error(path + "." + p.getKey(), "secrets never go in the rules file: set them in the webhook settings (an environment variable or a file)");
            } else if (p.getKey().equals("dueInDays") && !isDueInDays(p.getValue().asText())) {
                y.error(path + ".dueInDays", "expected a whole number of days from 0 to " + PlaybookEngine.MAX_DUE_IN_DAYS
                        + " (the task's dueAt is the decision time plus it), got '" + p.getValue().asText() + "'");
            } else {
                String v = p.getValue().asText();
                Matcher m = PLACEHOLDER.matcher(v);
                while (m.find()) {
                    if (!PlaybookEngine.PLACEHOLDERS.contains(m.group())) {
                        y.error(path + "." + p.getKey(), "'" + m.group() + "' is not a placeholder; allowed: "
                                + String.join(", ", PlaybookEngine.PLACEHOLDERS));
                    }
                }
                out.put(p.getKey(), v);
            }
        }
        return out;
    }

    private static boolean isDueInDays(String v) {
        return v.matches("\\d{1,4}") && Integer.parseInt(v) <= PlaybookEngine.MAX_DUE_IN_DAYS;
    }

    /** What reads as a placeholder in a parameter: a word in braces. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]*}");

    /** A list of distinct names, each one of {@code allowed} (any non-empty name when null). */
    private List<String> names(JsonNode n, String path, List<String> allowed) {
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isArray()) {
            y.error(path, "expected a list such as [A, B]" + (allowed == null ? "" : "; allowed: " + String.join(", ", allowed)));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String v = n.get(i).asText().trim();
            if (allowed != null) v = v.toUpperCase();
            if (v.isEmpty() || (allowed != null && !allowed.contains(v))) {
                y.error(path + "[" + i + "]", "'" + n.get(i).asText() + "' is not allowed"
                        + (allowed == null ? ": expected a non-empty name" : "; allowed values: " + String.join(", ", allowed)));
            } else if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static String actionNames() {
        List<String> names = new ArrayList<>();
        for (Action a : Action.values()) names.add(a.name());
        return String.join(", ", names);
    }
}
