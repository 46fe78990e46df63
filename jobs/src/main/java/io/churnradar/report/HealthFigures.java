package io.churnradar.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The health score distribution over time from {@code health.jsonl}: at the end of each ISO week (UTC),
 * every scored account at its latest score, as tier counts and score quantiles. The changes in the file
 * come by {@code asOf}, so one pass keeps each account's latest score and a histogram of the 101 scores:
 * memory follows the accounts.
 */
final class HealthFigures {
    static final double[] QUANTILES = {0.1, 0.25, 0.5, 0.75, 0.9};

    /** One week's snapshot: the Monday it starts, accounts per tier, score quantiles. */
    record Week(LocalDate start, long green, long yellow, long red, int[] quantiles) {}

    final List<Week> weeks = new ArrayList<>();
    long skippedLines;

    private final Map<String, Integer> scores = new HashMap<>();
    private final long[] histogram = new long[101];
    private final int greenFrom;
    private final int yellowFrom;
    private LocalDate week;

    private HealthFigures(int greenFrom, int yellowFrom) {
        this.greenFrom = greenFrom;
        this.yellowFrom = yellowFrom;
    }

    /**
     * The weeks of {@code health}; tiers are counted from the scores with the bounds given (the rules' tier
     * bounds), so that an account is in one tier whatever rules version scored it; the weeks run on to
     * the one of {@code until} (the end of the history; null: the last change's week).
     */
    static HealthFigures of(Path health, int greenFrom, int yellowFrom, Instant until) throws IOException {
        HealthFigures f = new HealthFigures(greenFrom, yellowFrom);
        f.skippedLines = JsonLines.forEach(health, h -> {
            if (h.path("final").asBoolean(false)) return; // the closing line per account repeats its last change
            String account = JsonLines.text(h, "accountId");
            String asOf = JsonLines.text(h, "asOf");
            Double score = JsonLines.number(h, "score");
            if (account == null || asOf == null || score == null) throw new IllegalArgumentException("incomplete health line");
            LocalDate monday = LocalDate.ofInstant(Instant.parse(asOf), ZoneOffset.UTC).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            if (f.week == null) f.week = monday;
            while (f.week.isBefore(monday)) { // a line of a later week: close the weeks before it
                f.close();
                f.week = f.week.plusWeeks(1);
            }
            int s = (int) Math.max(0, Math.min(100, Math.round(score)));
            Integer before = f.scores.put(account, s);
            if (before != null) f.histogram[before]--;
            f.histogram[s]++;
        });
        if (f.week == null) return f;
        // Scores move only on changes: the weeks after the last one, up to the end of the history, hold still.
        LocalDate last = until == null ? f.week
                : LocalDate.ofInstant(until, ZoneOffset.UTC).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        f.close();
        while (f.week.isBefore(last)) {
            f.week = f.week.plusWeeks(1);
            f.close();
        }
        return f;
    }

    private void close() {
        long green = 0, yellow = 0, red = 0, total = 0;
        for (int s = 0; s <= 100; s++) {
            total += histogram[s];
            if (s >= greenFrom) green += histogram[s];
            else if (s >= yellowFrom) yellow += histogram[s];
            else red += histogram[s];
        }
        int[] q = new int[QUANTILES.length];
        for (int i = 0; i < QUANTILES.length; i++) q[i] = quantile(QUANTILES[i], total);
        weeks.add(new Week(week, green, yellow, red, q));
    }

    /** The smallest score with at least {@code p} of the accounts at or below it. */
    private int quantile(double p, long total) {
        long need = Math.max(1, (long) Math.ceil(p * total));
        long seen = 0;
        for (int s = 0; s <= 100; s++) {
            seen += histogram[s];
            if (seen >= need) return s;
        }
        return 100;
    }
}
