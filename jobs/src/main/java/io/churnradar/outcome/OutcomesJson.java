package io.churnradar.outcome;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.play.OutcomeEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The backtest's {@code outcomes.json}: per playbook, by name, the entries of each group (entered,
 * saved, lost, open), their save rates, the uplift with its 95% interval and the revenue saved against
 * the control rate (docs/playbooks.md). Undefined figures are null, never NaN; rates and
 * uplift are written with four decimals (a hundredth of a percentage point), money in minor units.
 */
public final class OutcomesJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int DECIMALS = 4;

    private OutcomesJson() {}

    /** Folds the events (any order) and writes outcomes.json to {@code file}: the backtest's entry point. */
    public static OutcomeTally write(Iterable<OutcomeEvent> events, Path file) throws IOException {
        return write(events.iterator(), file);
    }

    /** As {@link #write(Iterable, Path)}, consuming an iterator (a job's collected results, say). */
    public static OutcomeTally write(Iterator<OutcomeEvent> events, Path file) throws IOException {
        OutcomeTally tally = new OutcomeTally();
        while (events.hasNext()) tally.add(events.next());
        write(tally, file);
        return tally;
    }

    /** Writes outcomes.json for a tally. */
    public static void write(OutcomeTally tally, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        JSON.writeValue(file.toFile(), tree(tally));
    }

    /** The document, for tests and for callers that embed it. */
    public static ObjectNode tree(OutcomeTally tally) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode playbooks = root.putObject("playbooks");
        for (Map.Entry<String, UpliftStats> e : tally.stats().entrySet()) {
            playbooks.set(e.getKey(), playbook(e.getValue()));
        }
        return root;
    }

    private static ObjectNode playbook(UpliftStats s) {
        ObjectNode n = JSON.createObjectNode();
        n.set("treated", group(s.treated()));
        n.set("heldOut", group(s.heldOut()));
        putRounded(n, "uplift", s.uplift());
        if (s.upliftCi95() == null) {
            n.putNull("upliftCi95");
        } else {
            ArrayNode ci = n.putArray("upliftCi95");
            ci.add(round(s.upliftCi95().low()));
            ci.add(round(s.upliftCi95().high()));
        }
        n.put("revenueSavedVsControlMinor", s.revenueSavedVsControlMinor());
        String note = note(s);
        if (note != null) n.put("note", note);
        return n;
    }

    private static ObjectNode group(UpliftStats.Group g) {
        ObjectNode n = JSON.createObjectNode();
        n.put("entered", g.entered());
        n.put("saved", g.saved());
        n.put("lost", g.lost());
        n.put("open", g.open());
        putRounded(n, "saveRate", g.saveRate());
        n.put("savedMrrMinor", g.savedMrrMinor());
        n.put("settledMrrMinor", g.settledMrrMinor());
        return n;
    }

    private static String note(UpliftStats s) {
        boolean treated = s.treated().settled() > 0;
        boolean heldOut = s.heldOut().settled() > 0;
        if (treated && heldOut) return null;
        if (!treated && !heldOut) return "no settled entries in either group yet: no save rates, no uplift";
        if (!heldOut) return "no settled held-out entries: no control rate, so no uplift and no revenue against it";
        return "no settled treated entries: no treated rate, so no uplift and no revenue against the control rate";
    }

    private static void putRounded(ObjectNode n, String field, Double value) {
        if (value == null) {
            n.putNull(field);
        } else {
            n.put(field, round(value));
        }
    }

    private static BigDecimal round(double v) {
        return BigDecimal.valueOf(v).setScale(DECIMALS, RoundingMode.HALF_UP);
    }
}
