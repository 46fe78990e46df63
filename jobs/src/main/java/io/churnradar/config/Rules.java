package io.churnradar.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.alerts.Severity;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Set;

/**
 * The detection rules: every threshold of every signal, read from one YAML file and validated as a
 * whole before the job starts. {@code rules/default-rules.yaml} documents each key.
 */
public final class Rules implements Serializable {
    private static final long serialVersionUID = 1L;

    public String version = "default-1";
    /** An event whose id was already seen for the account within this many days counts once. */
    public int dedupWindowDays = 7;
    public final UsageDrop usageDrop = new UsageDrop();
    public final Inactivity inactivity = new Inactivity();
    public final PaymentFailed paymentFailed = new PaymentFailed();
    public final TicketSpike ticketSpike = new TicketSpike();

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
        y.onlyKeys(root, "", Set.of("version", "dedup", "signals"));
        r.version = y.text(YamlTree.child(root, "version"), "version", null);
        if (r.version == null) {
            y.error("version", "missing; every rules file names its version, alerts carry it as ruleVersion");
        }
        JsonNode dedup = YamlTree.child(root, "dedup");
        y.onlyKeys(dedup, "dedup", Set.of("windowDays"));
        r.dedupWindowDays = y.integer(YamlTree.child(dedup, "windowDays"), "dedup.windowDays", 7, 1, 365);

        JsonNode signals = YamlTree.child(root, "signals");
        y.onlyKeys(signals, "signals", Set.of("usageDrop", "inactivity", "paymentFailed", "ticketSpike"));

        String p = "signals.usageDrop";
        JsonNode n = YamlTree.child(signals, "usageDrop");
        y.onlyKeys(n, p, Set.of("enabled", "severity", "windowDays", "minBaseline", "dropRatio"));
        r.usageDrop.enabled = y.bool(YamlTree.child(n, "enabled"), p + ".enabled", true);
        r.usageDrop.severity = y.enumValue(YamlTree.child(n, "severity"), p + ".severity", Severity.class, Severity.HIGH);
        r.usageDrop.windowDays = y.integer(YamlTree.child(n, "windowDays"), p + ".windowDays", 7, 1, 90);
        r.usageDrop.minBaseline = y.number(YamlTree.child(n, "minBaseline"), p + ".minBaseline", 10, 0, 1e15);
        r.usageDrop.dropRatio = y.number(YamlTree.child(n, "dropRatio"), p + ".dropRatio", 0.30, 0.01, 1.0);

        p = "signals.inactivity";
        n = YamlTree.child(signals, "inactivity");
        y.onlyKeys(n, p, Set.of("enabled", "severity", "days"));
        r.inactivity.enabled = y.bool(YamlTree.child(n, "enabled"), p + ".enabled", true);
        r.inactivity.severity = y.enumValue(YamlTree.child(n, "severity"), p + ".severity", Severity.class, Severity.MEDIUM);
        r.inactivity.days = y.integer(YamlTree.child(n, "days"), p + ".days", 14, 1, 365);

        p = "signals.paymentFailed";
        n = YamlTree.child(signals, "paymentFailed");
        y.onlyKeys(n, p, Set.of("enabled", "severity", "criticalAfterFailures"));
        r.paymentFailed.enabled = y.bool(YamlTree.child(n, "enabled"), p + ".enabled", true);
        r.paymentFailed.severity = y.enumValue(YamlTree.child(n, "severity"), p + ".severity", Severity.class, Severity.HIGH);
        r.paymentFailed.criticalAfterFailures =
                y.integer(YamlTree.child(n, "criticalAfterFailures"), p + ".criticalAfterFailures", 3, 1, 100);

        p = "signals.ticketSpike";
        n = YamlTree.child(signals, "ticketSpike");
        y.onlyKeys(n, p, Set.of("enabled", "severity", "minOpened", "windowDays"));
        r.ticketSpike.enabled = y.bool(YamlTree.child(n, "enabled"), p + ".enabled", true);
        r.ticketSpike.severity = y.enumValue(YamlTree.child(n, "severity"), p + ".severity", Severity.class, Severity.MEDIUM);
        r.ticketSpike.minOpened = y.integer(YamlTree.child(n, "minOpened"), p + ".minOpened", 3, 1, 10_000);
        r.ticketSpike.windowDays = y.integer(YamlTree.child(n, "windowDays"), p + ".windowDays", 7, 1, 90);

        y.throwIfInvalid();
        return r;
    }
}
