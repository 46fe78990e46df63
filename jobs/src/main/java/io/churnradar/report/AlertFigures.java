package io.churnradar.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The alerts' figures from {@code alerts.jsonl}: RAISED alerts per day and signal and, against the churn
 * labels, each signal's precision (a RAISED alert at t is right when one of the account's churn moments falls
 * within the horizon after t, wrong when none does and none can any more: the history reaches t plus the horizon, or,
 * under inactivity, the account was active after t), recall (the churn moments preceded by one of its alerts within the horizon) and lead time
 * (churn moment minus the first such alert). Only RAISED lines count: one per episode. Memory follows the
 * days, signals and churn moments, not the alerts.
 */
final class AlertFigures {
    /** day -> signal -> RAISED alerts */
    final TreeMap<LocalDate, Map<String, Long>> perDay = new TreeMap<>();
    final Map<String, SignalQuality> signals = new TreeMap<>();
    long skippedLines;

    /** One signal's figures against the labels. */
    static final class SignalQuality {
        long raised;
        long truePositives;
        long falsePositives;
        long censored;
        /** Lead times in days of the churn moments it caught: the first alert within the horizon before each. */
        final List<Double> leadDays = new ArrayList<>();
    }

    /** The figures of {@code alerts}; {@code labels} may be null (then per-day counts only). */
    static AlertFigures of(Path alerts, ChurnOutcomes labels) throws IOException {
        AlertFigures f = new AlertFigures();
        long horizon = labels == null ? 0 : labels.horizon().toMillis();
        // "account \t churn moment \t signal" already caught: the first alert to catch one is the earliest (the file is by time).
        Set<String> caught = new HashSet<>();
        Map<String, long[]> moments = new HashMap<>();
        f.skippedLines = JsonLines.forEach(alerts, a -> {
            if (!"RAISED".equals(JsonLines.text(a, "status"))) return;
            String account = JsonLines.text(a, "accountId");
            String signal = JsonLines.text(a, "signal");
            String detected = JsonLines.text(a, "detectedAt");
            if (account == null || signal == null || detected == null) throw new IllegalArgumentException("incomplete alert");
            long t = Instant.parse(detected).toEpochMilli();
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC);
            f.perDay.computeIfAbsent(day, d -> new TreeMap<>()).merge(signal, 1L, Long::sum);
            SignalQuality q = f.signals.computeIfAbsent(signal, s -> new SignalQuality());
            q.raised++;
            if (labels == null) return;
            // Judged by the same churn moments as recall, not by the training label at t: an account that churned within
            // the horizon and came back before it ended churned all the same, and a churn the history shows is no
            // less seen because the horizon runs past the history's end.
            long[] churnAt = moments.computeIfAbsent(account, labels::churnMoments);
            int i = Arrays.binarySearch(churnAt, t + 1);
            boolean churns = false;
            for (int k = i >= 0 ? i : -i - 1; k < churnAt.length && churnAt[k] <= t + horizon; k++) {
                churns = true;
                if (caught.add(account + "\t" + churnAt[k] + "\t" + signal)) q.leadDays.add((churnAt[k] - t) / 86_400_000.0);
            }
            if (churns) q.truePositives++;
            else if (labels.mayChurnUnseen(account, t)) q.censored++;
            else q.falsePositives++;
        });
        return f;
    }

    /** Every day from the first to the last with an alert (days without one count zero). */
    List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        if (perDay.isEmpty()) return days;
        for (LocalDate d = perDay.firstKey(); !d.isAfter(perDay.lastKey()); d = d.plusDays(1)) days.add(d);
        return days;
    }

    /** The churn moments of all accounts the labels know. */
    static long churnMoments(ChurnOutcomes labels) {
        long n = 0;
        for (String a : labels.accounts()) n += labels.churnMoments(a).length;
        return n;
    }
}
