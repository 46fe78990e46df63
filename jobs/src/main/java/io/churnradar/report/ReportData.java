package io.churnradar.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of a report as one JSON document, the page's only data: each section an object, or null
 * with a {@code ...Missing} text saying why (no file, no labels, no model). The page draws what is here
 * and computes nothing but layout.
 */
final class ReportData {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALERTS = "alerts.jsonl";
    static final String HEALTH = "health.jsonl";
    static final String OUTCOMES = "outcomes.json";
    static final String KPIS = "kpis.jsonl";
    static final String SCORES = "scores.jsonl";

    private ReportData() {}

    static ObjectNode of(ReportInput in) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", in.title);
        root.put("subtitle", in.subtitle);
        if (in.folder == null) {
            // A model's page: its section alone, no folder to name.
            root.putNull("folder");
            root.putArray("sections").add("model");
            model(in, root, root.putObject("skippedLines"));
            return root;
        }
        root.put("folder", in.folder.toAbsolutePath().normalize().toString());
        root.put("firstEventTime", in.firstEventTime);
        root.put("lastEventTime", in.lastEventTime);
        root.put("ruleVersion", in.ruleVersion);
        if (in.labels != null) {
            root.putObject("labels").put("definition", in.labels.definition()).put("horizonDays", in.labels.horizon().toHours() / 24.0);
        } else {
            root.putNull("labels");
        }
        ObjectNode skipped = root.putObject("skippedLines");
        alerts(in, root, skipped);
        model(in, root, skipped);
        health(in, root, skipped);
        playbooks(in, root);
        kpis(in, root, skipped);
        return root;
    }

    private static void alerts(ReportInput in, ObjectNode root, ObjectNode skipped) throws IOException {
        Path file = in.folder.resolve(ALERTS);
        if (!Files.exists(file)) {
            root.putNull("alerts");
            root.put("alertsMissing", "No " + ALERTS + " in the folder.");
            return;
        }
        AlertFigures f = AlertFigures.of(file, in.labels);
        skipped.put(ALERTS, f.skippedLines);
        ObjectNode a = root.putObject("alerts");
        List<LocalDate> days = f.days();
        ArrayNode dayNames = a.putArray("days");
        days.forEach(d -> dayNames.add(d.toString()));
        ObjectNode perSignal = a.putObject("perDay");
        for (String signal : f.signals.keySet()) {
            ArrayNode counts = perSignal.putArray(signal);
            for (LocalDate d : days) counts.add(f.perDay.getOrDefault(d, Map.of()).getOrDefault(signal, 0L));
        }
        ArrayNode quality = a.putArray("signals");
        long churns = in.labels == null ? 0 : AlertFigures.churnMoments(in.labels);
        a.put("churnMoments", churns);
        for (Map.Entry<String, AlertFigures.SignalQuality> e : f.signals.entrySet()) {
            AlertFigures.SignalQuality q = e.getValue();
            ObjectNode s = quality.addObject();
            s.put("signal", e.getKey());
            s.put("raised", q.raised);
            if (in.labels == null) continue;
            s.put("truePositives", q.truePositives);
            s.put("falsePositives", q.falsePositives);
            s.put("censored", q.censored);
            long judged = q.truePositives + q.falsePositives;
            putRate(s, "precision", q.truePositives, judged);
            s.put("churnsCaught", q.leadDays.size());
            putRate(s, "recall", q.leadDays.size(), churns);
            List<Double> lead = new ArrayList<>(q.leadDays);
            Collections.sort(lead);
            if (lead.isEmpty()) {
                s.putNull("leadDays");
            } else {
                ArrayNode box = s.putArray("leadDays"); // min, p25, median, p75, max: a box plot's five numbers
                for (double p : new double[] {0, 0.25, 0.5, 0.75, 1}) box.add(round(quantile(lead, p), 1));
            }
        }
        if (in.labels == null) root.put("labelsMissing", "No churn labels were given: alerts are counted, not judged.");
    }

    private static void model(ReportInput in, ObjectNode root, ObjectNode skipped) throws IOException {
        ModelEvaluation m = in.model;
        if (in.customers != null) root.set("customers", JSON.valueToTree(in.customers));
        Path scores = in.folder == null ? null : in.folder.resolve(SCORES);
        if (m == null && scores != null && Files.exists(scores)) {
            if (in.labels == null) {
                root.putNull("model");
                root.put("modelMissing", SCORES + " is there but no churn labels were given to judge it against.");
                return;
            }
            ModelEvaluation.Tally tally = new ModelEvaluation.Tally();
            long[] unjudged = {0};
            skipped.put(SCORES, JsonLines.forEach(scores, s -> {
                String account = JsonLines.text(s, "accountId");
                String at = JsonLines.text(s, "at");
                Double p = JsonLines.number(s, "probability");
                if (account == null || at == null || p == null) throw new IllegalArgumentException("incomplete score");
                Boolean churns = in.labels.churnsWithin(account, Instant.parse(at).toEpochMilli());
                if (churns == null || !tally.add(p, churns)) unjudged[0]++;
            }));
            m = tally.evaluation(SCORES);
            root.put("scoresNotJudged", unjudged[0]);
        }
        if (m == null) {
            root.putNull("model");
            root.put("modelMissing", scores != null && Files.exists(scores) ? "No scored row of " + SCORES + " could be judged (all censored)."
                    : "No model was given: run the backtest with --model MODEL (it writes " + SCORES + ") to see how good its probabilities are.");
            return;
        }
        root.set("model", JSON.valueToTree(m));
    }

    private static void health(ReportInput in, ObjectNode root, ObjectNode skipped) throws IOException {
        Path file = in.folder.resolve(HEALTH);
        if (!Files.exists(file)) {
            root.putNull("health");
            root.put("healthMissing", "No " + HEALTH + " in the folder.");
            return;
        }
        HealthFigures f = HealthFigures.of(file, in.greenFrom, in.yellowFrom, in.lastEventTime == null ? null : Instant.parse(in.lastEventTime));
        skipped.put(HEALTH, f.skippedLines);
        ObjectNode h = root.putObject("health");
        h.put("greenFrom", in.greenFrom).put("yellowFrom", in.yellowFrom);
        ArrayNode weeks = h.putArray("weeks");
        ArrayNode green = h.putArray("green"), yellow = h.putArray("yellow"), red = h.putArray("red");
        ObjectNode quantiles = h.putObject("quantiles");
        List<ArrayNode> q = new ArrayList<>();
        for (double p : HealthFigures.QUANTILES) q.add(quantiles.putArray("p" + Math.round(p * 100)));
        for (HealthFigures.Week w : f.weeks) {
            weeks.add(w.start().toString());
            green.add(w.green());
            yellow.add(w.yellow());
            red.add(w.red());
            for (int i = 0; i < q.size(); i++) q.get(i).add(w.quantiles()[i]);
        }
    }

    private static void playbooks(ReportInput in, ObjectNode root) throws IOException {
        Path file = in.folder.resolve(OUTCOMES);
        JsonNode doc = null;
        if (Files.exists(file)) {
            try {
                doc = JSON.readTree(file.toFile());
            } catch (IOException e) {
                root.putNull("playbooks");
                root.put("playbooksMissing", OUTCOMES + " could not be read: " + e.getMessage());
                return;
            }
        }
        JsonNode books = doc == null ? null : doc.get("playbooks");
        if (books == null || !books.isObject() || books.isEmpty()) {
            root.putNull("playbooks");
            root.put("playbooksMissing", doc == null ? "No " + OUTCOMES + " in the folder." : "No playbook had entries.");
            return;
        }
        root.put("playbooksNote", in.playbooksNote);
        ArrayNode out = root.putArray("playbooks");
        for (Iterator<Map.Entry<String, JsonNode>> it = books.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode b = e.getValue();
            ObjectNode p = out.addObject();
            p.put("name", e.getKey());
            p.set("treated", b.get("treated"));
            p.set("heldOut", b.get("heldOut"));
            p.set("uplift", b.get("uplift"));
            JsonNode ci = b.get("upliftCi95");
            p.set("ciLow", ci != null && ci.isArray() ? ci.get(0) : null);
            p.set("ciHigh", ci != null && ci.isArray() ? ci.get(1) : null);
            p.set("revenueSavedVsControlMinor", b.get("revenueSavedVsControlMinor"));
            p.set("note", b.get("note"));
        }
    }

    private static final List<String> KPI_RATES = List.of("logoChurnRate", "grossMrrChurnRate", "netMrrChurnRate", "nrr");
    private static final List<String> KPI_FIELDS = List.of("accountsStart", "accountsEnd", "logoChurned", "logoChurnRate",
            "mrrStartMinor", "mrrEndMinor", "newMinor", "expansionMinor", "contractionMinor", "churnedMinor", "reactivatedMinor",
            "grossMrrChurnRate", "netMrrChurnRate", "nrr");

    private static void kpis(ReportInput in, ObjectNode root, ObjectNode skipped) throws IOException {
        Path file = in.folder.resolve(KPIS);
        if (!Files.exists(file)) {
            root.putNull("kpis");
            root.put("kpisMissing", "No " + KPIS + " in the folder: the retention KPIs come with a backtest that computes them.");
            return;
        }
        TreeMap<String, JsonNode> all = new TreeMap<>(); // day -> the "all" line
        Map<String, JsonNode> latest = new TreeMap<>(); // segment -> its latest line
        Map<String, Long> reasons = new LinkedHashMap<>();
        skipped.put(KPIS, JsonLines.forEach(file, k -> {
            String day = JsonLines.text(k, "day");
            String segment = JsonLines.text(k, "segment");
            if (day == null || segment == null) throw new IllegalArgumentException("incomplete kpi line");
            LocalDate.parse(day);
            latest.merge(segment, k, (a, b) -> a.path("day").asText().compareTo(day) > 0 ? a : b);
            if (!segment.equals("all")) return;
            all.put(day, k);
            for (JsonNode r : k.path("topCancelReasons")) {
                String reason = JsonLines.text(r, "reason");
                if (reason != null) reasons.merge(reason, r.path("count").asLong(0), Long::sum);
            }
        }));
        ObjectNode k = root.putObject("kpis");
        ArrayNode days = k.putArray("days");
        all.keySet().forEach(days::add);
        ObjectNode series = k.putObject("series");
        for (String rate : KPI_RATES) {
            ArrayNode s = series.putArray(rate);
            for (JsonNode line : all.values()) s.add(line.path(rate).isNumber() ? line.get(rate) : null);
        }
        ArrayNode segments = k.putArray("latest");
        for (Map.Entry<String, JsonNode> e : latest.entrySet()) {
            ObjectNode row = segments.addObject();
            row.put("segment", e.getKey());
            row.set("day", e.getValue().get("day"));
            for (String field : KPI_FIELDS) row.set(field, e.getValue().get(field));
        }
        ArrayNode top = k.putArray("cancelReasons");
        reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                .forEach(e -> top.addObject().put("reason", e.getKey()).put("count", e.getValue()));
    }

    private static void putRate(ObjectNode n, String field, long part, long whole) {
        if (whole == 0) n.putNull(field);
        else n.put(field, round((double) part / whole, 4));
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    /** Linear interpolation between the closest ranks of a sorted list. */
    static double quantile(List<Double> sorted, double p) {
        double pos = p * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.size() - 1, lo + 1);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }
}
