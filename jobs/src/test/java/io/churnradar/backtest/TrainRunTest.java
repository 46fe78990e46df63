package io.churnradar.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnModel;
import io.churnradar.propensity.ChurnTrainer;
import io.churnradar.testing.FlinkTestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run on a small synthetic history where churners thin out their visits and usage before they
 * stop: the model learnt on the earlier months must rank the later months' churners.
 */
class TrainRunTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = FlinkTestCluster.extension(2);

    private static final LocalDate START = LocalDate.parse("2026-01-01");

    @TempDir
    Path tmp;

    /** 80 accounts over 240 days; about half stop at a random day after fading for 3 weeks. */
    static List<String> history(long seed) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        int id = 0;
        for (int a = 0; a < 80; a++) {
            boolean churns = r.nextBoolean();
            int stop = churns ? 40 + r.nextInt(180) : Integer.MAX_VALUE;
            for (int d = r.nextInt(10); d < 240 && d < stop; d++) {
                boolean fading = d >= stop - 21;
                if (r.nextDouble() > (fading ? 0.2 : 0.8)) continue;
                Instant t = START.plusDays(d).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plusSeconds(9 * 3600 + r.nextInt(8 * 3600));
                String acct = String.format("acct-%03d", a);
                lines.add(String.format("{\"type\":\"login\",\"eventId\":\"e%d\",\"accountId\":\"%s\",\"eventTime\":\"%s\"}", id++, acct, t));
                lines.add(String.format("{\"type\":\"usage\",\"eventId\":\"e%d\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"feature\":\"f%d\",\"quantity\":%d}",
                        id++, acct, t.plusSeconds(60), r.nextInt(4), fading ? 1 + r.nextInt(2) : 5 + r.nextInt(10)));
            }
        }
        lines.sort((x, y) -> x.substring(x.indexOf("eventTime")).compareTo(y.substring(y.indexOf("eventTime"))));
        return lines;
    }

    private TrainRun.Result train(Path events, Path model) throws Exception {
        return train(events, model, new ChurnTrainer.Options());
    }

    private TrainRun.Result train(Path events, Path model, ChurnTrainer.Options options) throws Exception {
        return train(events, model, options, START.plusDays(150));
    }

    private TrainRun.Result train(Path events, Path model, ChurnTrainer.Options options, java.time.LocalDate until) throws Exception {
        return TrainRun.run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, events)), FormatOptions.defaults(), Rules.defaults(),
                ChurnDefinition.parse("auto:30d"), until, model, Duration.ofMinutes(10), 2, FlinkTestCluster.config(),
                options, null);
    }

    @Test
    void anUntilAtTheHistorysEndLeavesNothingToEvaluateAndIsRefused() throws Exception {
        Path events = write(tmp.resolve("history.jsonl"), history(11));
        Path model = tmp.resolve("late.model");
        String message = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> train(events, model, new ChurnTrainer.Options(), START.plusDays(1000))).getMessage();
        assertTrue(message.startsWith("--until " + START.plusDays(1000) + " leaves no day close after it to evaluate on: the history ends on "),
                message);
        assertTrue(!java.nio.file.Files.exists(model), "no model written");
    }

    @Test
    void rowsBeyondTheBudgetAreLearntFromASampleOfWholeAccounts() throws Exception {
        Path events = write(tmp.resolve("history.jsonl"), history(11));
        ChurnTrainer.Options options = new ChurnTrainer.Options();
        options.maxRows = 2000;
        TrainRun.Result r = train(events, tmp.resolve("sampled.model"), options);
        String report = r.report();
        assertTrue(r.usableRows > 3000, report);
        assertEquals(2000.0 / r.usableRows, r.accountShare, 1e-9, report);
        // Whole accounts, so the rows kept come near the budget, not onto it: 80 accounts of some 50 rows each.
        assertTrue(r.trainRows + r.evaluationRows > 1000 && r.trainRows + r.evaluationRows < 3200, report);
        assertTrue(report.contains(String.format("Sampled %.1f%% of the accounts", 100 * r.accountShare)), report);
        assertEquals(r.accountShare, ChurnModel.read(tmp.resolve("sampled.model")).training().accountShare, "the model says it too");
    }

    @Test
    void learnsToRankTheLaterChurnersAndWritesTheModel() throws Exception {
        Path events = write(tmp.resolve("history.jsonl"), history(11));
        Path model = tmp.resolve("out/churn.model");
        TrainRun.Result r = train(events, model);
        String report = r.report();
        assertEquals("inactivity:30d", r.definition, "no subscription events: non-contractual");
        assertTrue(r.trainRows > 1000 && r.evaluationRows > 500, report);
        assertTrue(r.model.evaluation().auc > 0.8, report);
        assertTrue(r.model.evaluation().positives > 20, report);
        assertTrue(r.customersChurned > 5, report);
        assertTrue(r.customers.containsKey("INACTIVITY") && r.customers.containsKey("model p >= 0.5"), report);
        assertTrue(r.scoreMicros > 0, report);

        ChurnModel back = ChurnModel.read(model);
        assertEquals("2026-05-31", back.trainedUntil());
        assertEquals(r.model.evaluation().auc, back.evaluation().auc);
        // No row is trained on a label it could not have known by the split.
        assertTrue(!LocalDate.parse(back.training().lastDay).plusDays(30).isAfter(START.plusDays(150)), back.training().lastDay);

        // train --report: the evaluation as the report page's model section (BacktestReportTest renders the page in a browser).
        Path page = tmp.resolve("out/report.html");
        TrainRun.writeReport(r, "churn.model", page);
        String html = Files.readString(page);
        assertTrue(html.contains("\"brier\":" + r.model.evaluation().brier), "the model's Brier score is on the page");
        assertTrue(!html.contains("\"model\":null"), "the model section is drawn");
        // Drawn in a browser: the model's section alone, no folder of outputs named (a training run writes none),
        // and the model against the alerts per customer.
        String dom = io.churnradar.report.HeadlessChromium.require().dumpDom(page, tmp)
                .replaceAll("(?s)(<script[^>]*>).*?</script>", "$1</script>"); // what the page shows, not its scripts' text
        assertTrue(dom.contains("data-state=\"rendered\"") && dom.contains("data-errors=\"0\"") && dom.contains("data-charts=\"2\""), dom);
        assertTrue(dom.contains("Churn model churn.model (") && dom.contains("Trained until 2026-05-31"), dom);
        assertTrue(dom.contains("Per customer over the same period") && dom.contains("INACTIVITY") && dom.contains("model p &gt;= 0.5"), dom);
        assertTrue(!dom.contains("Outputs in") && !dom.contains("Alerts per day") && !dom.contains("Retention KPIs"), dom);

        // (Deterministic training is ChurnModelTest's: one replay here keeps the suite short.)
        System.out.print(report);
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("churn-radar-train-") && isRecent(p)), "scratch removed");
        }
    }

    private static boolean isRecent(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis() > System.currentTimeMillis() - 120_000;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, lines);
    }
}
