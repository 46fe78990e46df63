package io.churnradar.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.churnradar.play.PlaybookRules;
import io.churnradar.signals.SettingsBlock;
import io.churnradar.signals.Signal;
import io.churnradar.signals.SignalCatalog;
import io.churnradar.signals.SignalSpec;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The detection rules: every threshold of every signal and the weights of the health score, read
 * from one YAML file and validated as a whole before the job starts. {@code rules/default-rules.yaml}
 * documents each key. Immutable once read: each signal's block is read by the signal's own settings
 * reader (its {@link SignalSpec}, registered in {@link SignalCatalog}) into final fields.
 */
public final class Rules implements Serializable {
    private static final long serialVersionUID = 3L;

    /** Features the detector remembers per account (most recently used first): bounds activation and breadth. */
    public static final int MAX_TRACKED_FEATURES = 16;
    /** Open urgent tickets the detector remembers per account (the oldest). */
    public static final int MAX_TRACKED_URGENT_TICKETS = 8;
    /** Core features a rules file may name. */
    public static final int MAX_CORE_FEATURES = 32;

    /** The version of this rule set; every alert carries it as ruleVersion. */
    public final String version;
    /** An event whose id was already seen for the account within this many days counts once. */
    public final int dedupWindowDays;
    /**
     * Each signal's settings, of the type its {@link SignalSpec} reads (see {@link #signal}). Visible to
     * Jackson, which compares rule sets by their JSON form (RulesCheck.sameRules).
     */
    @JsonProperty("signals")
    private final EnumMap<Signal, Serializable> signals;
    public final Health health;
    /**
     * What of the customers' own words and identities may reach the outputs: by default, none of the
     * free text (survey comments) and no e-mail address (a user id that is one is replaced by a pseudonym).
     */
    public final boolean includePersonalData;
    /** The playbooks that turn alerts into retention commands, and the policy over them (docs/playbooks.md). */
    public final PlaybookRules playbooks;
    /** The churn propensity model CHURN_RISK scores with, loaded with the rules; null: none, the signal is idle. */
    public final ModelReference model;

    private Rules(String version, int dedupWindowDays, EnumMap<Signal, Serializable> signals, Health health,
            boolean includePersonalData, PlaybookRules playbooks, ModelReference model) {
        this.version = version;
        this.dedupWindowDays = dedupWindowDays;
        this.signals = signals;
        this.health = health;
        this.includePersonalData = includePersonalData;
        this.playbooks = playbooks;
        this.model = model;
    }

    /** The settings of one signal, e.g. {@code rules.signal(UsageDropSignal.SPEC).windowDays}. */
    public <S extends Serializable> S signal(SignalSpec<S> spec) {
        return spec.cast(signals.get(spec.signal()));
    }

    /** These rules with other playbooks (tests run the signals alone with {@link PlaybookRules#none()}). */
    public Rules withPlaybooks(PlaybookRules playbooks) {
        return new Rules(version, dedupWindowDays, signals, health, includePersonalData, playbooks, model);
    }

    /** These rules with another churn model (the backtest's {@code --model}); null: none. */
    public Rules withModel(ModelReference model) {
        return new Rules(version, dedupWindowDays, signals, health, includePersonalData, playbooks, model);
    }

    /** The account health score: weights of its components, tier bounds, and when an update is published. */
    public static final class Health implements Serializable {
        private static final long serialVersionUID = 2L;
        public final Weights weights;
        /** Lowest score of the GREEN tier. */
        public final int greenFrom;
        /** Lowest score of the YELLOW tier; below it, RED. */
        public final int yellowFrom;
        /** featureBreadth counts the distinct features used within this many days. */
        public final int featureWindowDays;
        /** featureBreadth is 100 from this many distinct features. */
        public final int featureTarget;
        /** A move of this many points (or a tier change) publishes an update at once; smaller ones at most once a UTC day. */
        public final int minScoreChange;

        public Health(Weights weights, int greenFrom, int yellowFrom, int featureWindowDays, int featureTarget, int minScoreChange) {
            this.weights = weights;
            this.greenFrom = greenFrom;
            this.yellowFrom = yellowFrom;
            this.featureWindowDays = featureWindowDays;
            this.featureTarget = featureTarget;
            this.minScoreChange = minScoreChange;
        }
    }

    /** Weights of the health components; they sum to 100. */
    public static final class Weights implements Serializable {
        private static final long serialVersionUID = 2L;
        public final double usageTrend;
        public final double loginRecency;
        public final double featureBreadth;
        public final double supportBurden;
        public final double paymentHealth;
        public final double sentiment;

        public Weights(double usageTrend, double loginRecency, double featureBreadth, double supportBurden, double paymentHealth,
                double sentiment) {
            this.usageTrend = usageTrend;
            this.loginRecency = loginRecency;
            this.featureBreadth = featureBreadth;
            this.supportBurden = supportBurden;
            this.paymentHealth = paymentHealth;
            this.sentiment = sentiment;
        }

        public double sum() {
            return usageTrend + loginRecency + featureBreadth + supportBurden + paymentHealth + sentiment;
        }
    }

    /** The built-in rules: every signal's defaults (from its own settings reader), the shipped playbooks. */
    public static Rules defaults() {
        return DEFAULTS;
    }

    private static final Rules DEFAULTS = builtIn();

    private static Rules builtIn() {
        EnumMap<Signal, Serializable> signals = new EnumMap<>(Signal.class);
        for (SignalSpec<?> spec : SignalCatalog.specs()) signals.put(spec.signal(), spec.defaults());
        YamlTree y = YamlTree.forSource("defaults");
        Health health = readHealth(y, MissingNode.getInstance());
        y.throwIfInvalid();
        return new Rules("default-1", 7, signals, health, false, PlaybookRules.defaults(), null);
    }

    public static Rules load(Path file) {
        return fromYaml(YamlTree.readFile(file), file.toString());
    }

    public static Rules parse(String yaml, String source) {
        return fromYaml(YamlTree.parse(yaml, source), source);
    }

    /** Longest span of days, ending at a day close, that any rule looks back over. */
    public int lookbackDays() {
        int days = 0;
        for (SignalSpec<?> spec : SignalCatalog.specs()) days = Math.max(days, spec.lookbackDays(signals.get(spec.signal())));
        return days;
    }

    /** The longest rules version: it is carried by every alert, command and status record. */
    public static final int MAX_VERSION_LENGTH = 128;

    private static Rules fromYaml(JsonNode root, String source) {
        YamlTree y = YamlTree.forSource(source);
        y.onlyKeys(root, "", Set.of("version", "dedup", "signals", "health", "commands", "playbooks", "privacy", "model"));
        JsonNode privacy = YamlTree.child(root, "privacy");
        y.onlyKeys(privacy, "privacy", Set.of("includePersonalData"));
        boolean includePersonalData = y.bool(YamlTree.child(privacy, "includePersonalData"), "privacy.includePersonalData", false);
        JsonNode versionNode = YamlTree.child(root, "version");
        if (versionNode.isValueNode() && !versionNode.isTextual() && !versionNode.isNull()) {
            // YAML reads 1.10 as the number 1.1, 1e3 as 1000.0, true as a boolean: the version would not be the one written.
            y.error("version", "read as " + (versionNode.isBoolean() ? "a boolean" : "a number") + " (" + versionNode.asText()
                    + "), not as written: quote it, e.g. version: \"2026-04\"");
        }
        String version = y.text(versionNode, "version", null);
        if (version != null && (version.length() > MAX_VERSION_LENGTH || version.chars().anyMatch(Character::isISOControl))) {
            // Every alert, command and status carries it: a line break or a page of text there would reach every consumer.
            y.error("version", "expected one line of at most " + MAX_VERSION_LENGTH + " characters without control characters, got "
                    + version.length() + " characters" + (version.chars().anyMatch(Character::isISOControl) ? " with control characters" : ""));
        }
        if (version == null && versionNode.isMissingNode()) { // else y.text said what is wrong
            y.error("version", "missing; every rules file names its version, alerts carry it as ruleVersion");
        }
        JsonNode dedup = YamlTree.child(root, "dedup");
        y.onlyKeys(dedup, "dedup", Set.of("windowDays"));
        int dedupWindowDays = y.integer(YamlTree.child(dedup, "windowDays"), "dedup.windowDays", 7, 1, 365);

        // Each signal reads its own block (defaults, ranges, messages in its family file), in the order of the Signal enum.
        JsonNode signalsNode = YamlTree.child(root, "signals");
        Set<String> keys = new LinkedHashSet<>();
        for (SignalSpec<?> spec : SignalCatalog.specs()) keys.add(spec.key());
        y.onlyKeys(signalsNode, "signals", keys);
        EnumMap<Signal, Serializable> signals = new EnumMap<>(Signal.class);
        for (SignalSpec<?> spec : SignalCatalog.specs()) signals.put(spec.signal(), spec.read(y, signalsNode));

        Health health = readHealth(y, YamlTree.child(root, "health"));
        PlaybookRules playbooks = new PlaybookRulesReader(y).read(YamlTree.child(root, "commands"), YamlTree.child(root, "playbooks"));

        ModelReference model = ModelReference.read(y, YamlTree.child(root, "model"));

        y.throwIfInvalid();
        return new Rules(version, dedupWindowDays, signals, health, includePersonalData, playbooks, model);
    }

    private static Health readHealth(YamlTree y, JsonNode n) {
        y.onlyKeys(n, "health", Set.of("weights", "tiers", "featureWindowDays", "featureTarget", "minScoreChange"));
        int featureWindowDays = y.integer(YamlTree.child(n, "featureWindowDays"), "health.featureWindowDays", 7, 1, 30);
        int featureTarget = y.integer(YamlTree.child(n, "featureTarget"), "health.featureTarget", 3, 1, MAX_TRACKED_FEATURES);
        int minScoreChange = y.integer(YamlTree.child(n, "minScoreChange"), "health.minScoreChange", 5, 1, 100);

        JsonNode w = YamlTree.child(n, "weights");
        String wp = "health.weights";
        y.onlyKeys(w, wp, Set.of("usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment"));
        int weightProblems = y.errors().size();
        Weights ws = new Weights(
                y.number(YamlTree.child(w, "usageTrend"), wp + ".usageTrend", 25, 0, 100),
                y.number(YamlTree.child(w, "loginRecency"), wp + ".loginRecency", 20, 0, 100),
                y.number(YamlTree.child(w, "featureBreadth"), wp + ".featureBreadth", 15, 0, 100),
                y.number(YamlTree.child(w, "supportBurden"), wp + ".supportBurden", 15, 0, 100),
                y.number(YamlTree.child(w, "paymentHealth"), wp + ".paymentHealth", 15, 0, 100),
                y.number(YamlTree.child(w, "sentiment"), wp + ".sentiment", 10, 0, 100));
        // A rejected weight reads as its default, which the sum below would name as if the user had written it.
        if (y.errors().size() == weightProblems && Math.abs(ws.sum() - 100) > 1e-6) {
            y.error(wp, "the weights must sum to 100, got " + fmt(Math.round(ws.sum() * 1e6) / 1e6) + " (usageTrend "
                    + fmt(ws.usageTrend) + " + loginRecency " + fmt(ws.loginRecency) + " + featureBreadth " + fmt(ws.featureBreadth)
                    + " + supportBurden " + fmt(ws.supportBurden) + " + paymentHealth " + fmt(ws.paymentHealth)
                    + " + sentiment " + fmt(ws.sentiment) + "); a weight left out keeps its default");
        }

        JsonNode t = YamlTree.child(n, "tiers");
        y.onlyKeys(t, "health.tiers", Set.of("green", "yellow"));
        int tierProblems = y.errors().size();
        int greenFrom = y.integer(YamlTree.child(t, "green"), "health.tiers.green", 75, 0, 100);
        int yellowFrom = y.integer(YamlTree.child(t, "yellow"), "health.tiers.yellow", 50, 0, 100);
        if (y.errors().size() == tierProblems && yellowFrom >= greenFrom) {
            y.error("health.tiers", "yellow (" + yellowFrom + ") must be below green (" + greenFrom
                    + "): a score >= green is GREEN, >= yellow YELLOW, below yellow RED");
        }
        return new Health(ws, greenFrom, yellowFrom, featureWindowDays, featureTarget, minScoreChange);
    }

    private static String fmt(double v) {
        return SettingsBlock.fmt(v);
    }
}
