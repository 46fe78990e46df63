package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.alerts.Severity;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The detection rules: every threshold of every signal and the weights of the health score, read
 * from one YAML file and validated as a whole before the job starts. {@code rules/default-rules.yaml}
 * documents each key.
 */
public final class Rules implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Features the detector remembers per account (most recently used first): bounds activation and breadth. */
    public static final int MAX_TRACKED_FEATURES = 16;
    /** Open urgent tickets the detector remembers per account (the oldest). */
    public static final int MAX_TRACKED_URGENT_TICKETS = 8;
    /** Core features a rules file may name. */
    public static final int MAX_CORE_FEATURES = 32;

    public String version = "default-1";
    /** An event whose id was already seen for the account within this many days counts once. */
    public int dedupWindowDays = 7;
    public final UsageDrop usageDrop = new UsageDrop();
    public final Inactivity inactivity = new Inactivity();
    public final PaymentFailed paymentFailed = new PaymentFailed();
    public final TicketSpike ticketSpike = new TicketSpike();
    public final ScoreThreshold npsDetractor = new ScoreThreshold(Severity.MEDIUM, 6, 7);
    public final ScoreThreshold lowCsat = new ScoreThreshold(Severity.MEDIUM, 2, 4);
    public final UrgentTicketAging urgentTicketAging = new UrgentTicketAging();
    public final CardExpiring cardExpiring = new CardExpiring();
    public final CoreFeatureUnused coreFeatureUnused = new CoreFeatureUnused();
    public final OnboardingStalled onboardingStalled = new OnboardingStalled();
    public final Downgrade downgrade = new Downgrade();
    public final Switch cancellationRequested = new Switch(Severity.HIGH);
    public final Switch churned = new Switch(Severity.CRITICAL);
    public final RenewalAtRisk renewalAtRisk = new RenewalAtRisk();
    public final Health health = new Health();
    /**
     * What of the customers' own words and identities may reach the outputs: by default, none of the
     * free text (survey comments) and no e-mail address (a user id that is one is replaced by a pseudonym).
     */
    public boolean includePersonalData = false;
    /** The playbooks that turn alerts into retention commands, and the policy over them (docs/playbooks.md). */
    public io.churnradar.play.PlaybookRules playbooks = io.churnradar.play.PlaybookRules.defaults();

    /** USAGE_DROP: usage over the last window fell by dropRatio or more against the window before. */
    public static final class UsageDrop implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.HIGH;
        public int windowDays = 7;
        public double minBaseline = 10;
        public double dropRatio = 0.30;
    }

    /** INACTIVITY: no login for this many days. */
    public static final class Inactivity implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public int days = 14;
    }

    /** PAYMENT_FAILED: a failed payment; CRITICAL once dunning is exhausted. */
    public static final class PaymentFailed implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.HIGH;
        public int criticalAfterFailures = 3;
    }

    /** TICKET_SPIKE: many tickets opened within a short window. */
    public static final class TicketSpike implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public int minOpened = 3;
        public int windowDays = 7;
    }

    /** A signal that is only switched on or off, at a severity (CANCELLATION_REQUESTED, CHURNED). */
    public static final class Switch implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity;

        Switch(Severity severity) {
            this.severity = severity;
        }
    }

    /** NPS_DETRACTOR and LOW_CSAT: an answer at or below maxScore raises, a later one at or above resolveAtScore resolves. */
    public static final class ScoreThreshold implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity;
        public int maxScore;
        public int resolveAtScore;

        ScoreThreshold(Severity severity, int maxScore, int resolveAtScore) {
            this.severity = severity;
            this.maxScore = maxScore;
            this.resolveAtScore = resolveAtScore;
        }
    }

    /** URGENT_TICKET_AGING: an urgent ticket still open this many hours after it was opened. */
    public static final class UrgentTicketAging implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.HIGH;
        public int hours = 48;
    }

    /** CARD_EXPIRING: the card on file expires (end of its month, UTC) within this many days. */
    public static final class CardExpiring implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public int days = 30;
    }

    /** CORE_FEATURE_UNUSED: none of coreFeatures used for this many days; no core features, no signal. */
    public static final class CoreFeatureUnused implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public int days = 10;
        public List<String> coreFeatures = List.of();

        public boolean active() {
            return enabled && !coreFeatures.isEmpty();
        }
    }

    /** ONBOARDING_STALLED: not activated (minFeatures distinct features used since STARTED) this many days after STARTED. */
    public static final class OnboardingStalled implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public int days = 14;
        public int minFeatures = 3;
    }

    /** DOWNGRADE: a plan or seat change that cuts MRR by dropRatio or more; HIGH from highDropRatio. */
    public static final class Downgrade implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.MEDIUM;
        public double dropRatio = 0.20;
        public double highDropRatio = 0.50;
    }

    /** RENEWAL_AT_RISK: the renewal is within withinDays and the health score is below belowScore. */
    public static final class RenewalAtRisk implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public Severity severity = Severity.HIGH;
        public int withinDays = 60;
        public int belowScore = 50;
    }

    /** The account health score: weights of its components, tier bounds, and when an update is published. */
    public static final class Health implements Serializable {
        private static final long serialVersionUID = 1L;
        public final Weights weights = new Weights();
        /** Lowest score of the GREEN tier. */
        public int greenFrom = 75;
        /** Lowest score of the YELLOW tier; below it, RED. */
        public int yellowFrom = 50;
        /** featureBreadth counts the distinct features used within this many days. */
        public int featureWindowDays = 7;
        /** featureBreadth is 100 from this many distinct features. */
        public int featureTarget = 3;
        /** A move of this many points (or a tier change) publishes an update at once; smaller ones at most once a UTC day. */
        public int minScoreChange = 5;
    }

    /** Weights of the health components; they sum to 100. */
    public static final class Weights implements Serializable {
        private static final long serialVersionUID = 1L;
        public double usageTrend = 25;
        public double loginRecency = 20;
        public double featureBreadth = 15;
        public double supportBurden = 15;
        public double paymentHealth = 15;
        public double sentiment = 10;

        public double sum() {
            return usageTrend + loginRecency + featureBreadth + supportBurden + paymentHealth + sentiment;
        }
    }

    public static Rules defaults() {
        return new Rules();
    }

    public static Rules load(Path file) {
        return fromYaml(YamlTree.readFile(file), file.toString());
    }

    public static Rules parse(String yaml, String source) {
        return fromYaml(YamlTree.parse(yaml, source), source);
    }

    /** Longest span of days, ending at a day close, that any rule looks back over. */
    public int lookbackDays() {
        return Math.max(2 * usageDrop.windowDays, ticketSpike.windowDays);
    }

    private static Rules fromYaml(JsonNode root, String source) {
        YamlTree y = YamlTree.forSource(source);
        Rules r = new Rules();
        y.onlyKeys(root, "", Set.of("version", "dedup", "signals", "health", "commands", "playbooks", "privacy"));
        JsonNode privacy = YamlTree.child(root, "privacy");
        y.onlyKeys(privacy, "privacy", Set.of("includePersonalData"));
        r.includePersonalData = y.bool(YamlTree.child(privacy, "includePersonalData"), "privacy.includePersonalData", false);
        r.version = y.text(YamlTree.child(root, "version"), "version", null);
        if (r.version == null) {
            y.error("version", "missing; every rules file names its version, alerts carry it as ruleVersion");
        }
        JsonNode dedup = YamlTree.child(root, "dedup");
        y.onlyKeys(dedup, "dedup", Set.of("windowDays"));
        r.dedupWindowDays = y.integer(YamlTree.child(dedup, "windowDays"), "dedup.windowDays", 7, 1, 365);

        JsonNode signals = YamlTree.child(root, "signals");
        y.onlyKeys(signals, "signals", Set.of("usageDrop", "inactivity", "paymentFailed", "ticketSpike", "npsDetractor",
                "lowCsat", "urgentTicketAging", "cardExpiring", "coreFeatureUnused", "onboardingStalled", "downgrade",
                "cancellationRequested", "churned", "renewalAtRisk"));

        Block b = new Block(y, signals, "signals", "usageDrop", "windowDays", "minBaseline", "dropRatio");
        r.usageDrop.enabled = b.enabled();
        r.usageDrop.severity = b.severity(Severity.HIGH);
        r.usageDrop.windowDays = b.integer("windowDays", 7, 1, 90);
        r.usageDrop.minBaseline = b.number("minBaseline", 10, 0, 1e15);
        r.usageDrop.dropRatio = b.number("dropRatio", 0.30, 0.01, 1.0);

        b = new Block(y, signals, "signals", "inactivity", "days");
        r.inactivity.enabled = b.enabled();
        r.inactivity.severity = b.severity(Severity.MEDIUM);
        r.inactivity.days = b.integer("days", 14, 1, 365);

        b = new Block(y, signals, "signals", "paymentFailed", "criticalAfterFailures");
        r.paymentFailed.enabled = b.enabled();
        r.paymentFailed.severity = b.severity(Severity.HIGH);
        r.paymentFailed.criticalAfterFailures = b.integer("criticalAfterFailures", 3, 1, 100);

        b = new Block(y, signals, "signals", "ticketSpike", "minOpened", "windowDays");
        r.ticketSpike.enabled = b.enabled();
        r.ticketSpike.severity = b.severity(Severity.MEDIUM);
        r.ticketSpike.minOpened = b.integer("minOpened", 3, 1, 10_000);
        r.ticketSpike.windowDays = b.integer("windowDays", 7, 1, 90);

        readScoreThreshold(new Block(y, signals, "signals", "npsDetractor", "maxScore", "resolveAtScore"), r.npsDetractor, 0, 10);
        readScoreThreshold(new Block(y, signals, "signals", "lowCsat", "maxScore", "resolveAtScore"), r.lowCsat, 1, 5);

        b = new Block(y, signals, "signals", "urgentTicketAging", "hours");
        r.urgentTicketAging.enabled = b.enabled();
        r.urgentTicketAging.severity = b.severity(Severity.HIGH);
        r.urgentTicketAging.hours = b.integer("hours", 48, 1, 24 * 90);

        b = new Block(y, signals, "signals", "cardExpiring", "days");
        r.cardExpiring.enabled = b.enabled();
        r.cardExpiring.severity = b.severity(Severity.MEDIUM);
        r.cardExpiring.days = b.integer("days", 30, 0, 365);

        b = new Block(y, signals, "signals", "coreFeatureUnused", "days", "coreFeatures");
        r.coreFeatureUnused.enabled = b.enabled();
        r.coreFeatureUnused.severity = b.severity(Severity.MEDIUM);
        r.coreFeatureUnused.days = b.integer("days", 10, 1, 365);
        r.coreFeatureUnused.coreFeatures = b.names("coreFeatures", MAX_CORE_FEATURES);

        b = new Block(y, signals, "signals", "onboardingStalled", "days", "minFeatures");
        r.onboardingStalled.enabled = b.enabled();
        r.onboardingStalled.severity = b.severity(Severity.MEDIUM);
        r.onboardingStalled.days = b.integer("days", 14, 1, 365);
        r.onboardingStalled.minFeatures = b.integer("minFeatures", 3, 1, MAX_TRACKED_FEATURES);

        b = new Block(y, signals, "signals", "downgrade", "dropRatio", "highDropRatio");
        r.downgrade.enabled = b.enabled();
        r.downgrade.severity = b.severity(Severity.MEDIUM);
        r.downgrade.dropRatio = b.number("dropRatio", 0.20, 0.01, 1.0);
        r.downgrade.highDropRatio = b.number("highDropRatio", 0.50, 0.01, 1.0);
        if (r.downgrade.highDropRatio < r.downgrade.dropRatio) {
            y.error("signals.downgrade.highDropRatio", "must be at least dropRatio (" + fmt(r.downgrade.dropRatio)
                    + "), got " + fmt(r.downgrade.highDropRatio));
        }

        b = new Block(y, signals, "signals", "cancellationRequested");
        r.cancellationRequested.enabled = b.enabled();
        r.cancellationRequested.severity = b.severity(Severity.HIGH);

        b = new Block(y, signals, "signals", "churned");
        r.churned.enabled = b.enabled();
        r.churned.severity = b.severity(Severity.CRITICAL);

        b = new Block(y, signals, "signals", "renewalAtRisk", "withinDays", "belowScore");
        r.renewalAtRisk.enabled = b.enabled();
        r.renewalAtRisk.severity = b.severity(Severity.HIGH);
        r.renewalAtRisk.withinDays = b.integer("withinDays", 60, 1, 366);
        r.renewalAtRisk.belowScore = b.integer("belowScore", 50, 1, 100);

        readHealth(y, YamlTree.child(root, "health"), r.health);
        r.playbooks = new PlaybookRulesReader(y).read(YamlTree.child(root, "commands"), YamlTree.child(root, "playbooks"));

        y.throwIfInvalid();
        return r;
    }

    private static void readScoreThreshold(Block b, ScoreThreshold t, int min, int max) {
        t.enabled = b.enabled();
        t.severity = b.severity(t.severity);
        t.maxScore = b.integer("maxScore", t.maxScore, min, max);
        t.resolveAtScore = b.integer("resolveAtScore", t.resolveAtScore, min, max);
        if (t.resolveAtScore <= t.maxScore) {
            b.y.error(b.path + ".resolveAtScore", "must be above maxScore (" + t.maxScore + "), got " + t.resolveAtScore);
        }
    }

    private static void readHealth(YamlTree y, JsonNode n, Health h) {
        y.onlyKeys(n, "health", Set.of("weights", "tiers", "featureWindowDays", "featureTarget", "minScoreChange"));
        h.featureWindowDays = y.integer(YamlTree.child(n, "featureWindowDays"), "health.featureWindowDays", 7, 1, 30);
        h.featureTarget = y.integer(YamlTree.child(n, "featureTarget"), "health.featureTarget", 3, 1, MAX_TRACKED_FEATURES);
        h.minScoreChange = y.integer(YamlTree.child(n, "minScoreChange"), "health.minScoreChange", 5, 1, 100);

        JsonNode w = YamlTree.child(n, "weights");
        String wp = "health.weights";
        y.onlyKeys(w, wp, Set.of("usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment"));
        Weights ws = h.weights;
        ws.usageTrend = y.number(YamlTree.child(w, "usageTrend"), wp + ".usageTrend", 25, 0, 100);
        ws.loginRecency = y.number(YamlTree.child(w, "loginRecency"), wp + ".loginRecency", 20, 0, 100);
        ws.featureBreadth = y.number(YamlTree.child(w, "featureBreadth"), wp + ".featureBreadth", 15, 0, 100);
        ws.supportBurden = y.number(YamlTree.child(w, "supportBurden"), wp + ".supportBurden", 15, 0, 100);
        ws.paymentHealth = y.number(YamlTree.child(w, "paymentHealth"), wp + ".paymentHealth", 15, 0, 100);
        ws.sentiment = y.number(YamlTree.child(w, "sentiment"), wp + ".sentiment", 10, 0, 100);
        if (Math.abs(ws.sum() - 100) > 1e-6) {
            y.error(wp, "the weights must sum to 100, got " + fmt(Math.round(ws.sum() * 1e6) / 1e6) + " (usageTrend "
                    + fmt(ws.usageTrend) + " + loginRecency " + fmt(ws.loginRecency) + " + featureBreadth " + fmt(ws.featureBreadth)
                    + " + supportBurden " + fmt(ws.supportBurden) + " + paymentHealth " + fmt(ws.paymentHealth)
                    + " + sentiment " + fmt(ws.sentiment) + "); a weight left out keeps its default");
        }

        JsonNode t = YamlTree.child(n, "tiers");
        y.onlyKeys(t, "health.tiers", Set.of("green", "yellow"));
        h.greenFrom = y.integer(YamlTree.child(t, "green"), "health.tiers.green", 75, 0, 100);
        h.yellowFrom = y.integer(YamlTree.child(t, "yellow"), "health.tiers.yellow", 50, 0, 100);
        if (h.yellowFrom >= h.greenFrom) {
            y.error("health.tiers", "yellow (" + h.yellowFrom + ") must be below green (" + h.greenFrom
                    + "): a score >= green is GREEN, >= yellow YELLOW, below yellow RED");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** The keys of one signal's block, with its path for messages. */
    private static final class Block {
        final YamlTree y;
        final JsonNode node;
        final String path;

        Block(YamlTree y, JsonNode parent, String parentPath, String key, String... keys) {
            this.y = y;
            this.node = YamlTree.child(parent, key);
            this.path = parentPath + "." + key;
            Set<String> allowed = new LinkedHashSet<>(List.of("enabled", "severity"));
            allowed.addAll(List.of(keys));
            y.onlyKeys(node, path, allowed);
        }

        boolean enabled() {
            return y.bool(YamlTree.child(node, "enabled"), path + ".enabled", true);
        }

        Severity severity(Severity dflt) {
            return y.enumValue(YamlTree.child(node, "severity"), path + ".severity", Severity.class, dflt);
        }

        int integer(String key, int dflt, int min, int max) {
            return y.integer(YamlTree.child(node, key), path + "." + key, dflt, min, max);
        }

        double number(String key, double dflt, double min, double max) {
            return y.number(YamlTree.child(node, key), path + "." + key, dflt, min, max);
        }

        /** A list of distinct, non-empty names, e.g. {@code [reports, dashboards]}. */
        List<String> names(String key, int maxCount) {
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
    }
}
