package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.local.TestTmp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./churn-radar backtest} run twice into one folder: the second run's summary names what it replaced. */
class BacktestCommandTest {
    static {
        TestTmp.ensure();
    }

    @TempDir
    Path tmp;

    @Test
    void aSecondRunIntoTheSameFolderNamesTheEarlierResultsItRemoved() throws Exception {
        Path events = Files.write(tmp.resolve("events.jsonl"), List.of(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-01T10:00:00Z\"}",
                "{\"type\":\"login\",\"eventId\":\"e2\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-05T10:00:00Z\"}"));
        Path results = tmp.resolve("results");

        assertThat(backtest(events, results, "--report")).contains("  report           ").doesNotContain("  removed   ");
        assertThat(results.resolve("report.html")).exists();

        assertThat(backtest(events, results)).contains("  removed          report.html (an earlier run's, which this run does not write)");
        assertThat(results.resolve("report.html")).doesNotExist();
        assertThat(results.resolve("alerts.jsonl")).exists();
    }

    @Test
    void aFolderWhereAResultFileGoesIsAUsageErrorBeforeAnythingRuns() throws Exception {
        Path results = Files.createDirectories(tmp.resolve("results/alerts.jsonl")).getParent();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"backtest", "--events", tmp.resolve("missing-too.jsonl").toString(), "--out", results.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("backtest: --out " + results + ": " + results.resolve("alerts.jsonl")
                + " is a folder, where the backtest writes its file alerts.jsonl; move it, or give another --out").doesNotContain("\tat ");
    }

    @Test
    void aRunThatItsInputStopsLeavesNoEmptyResultsFolderOfItsOwn() throws Exception {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.io.OutputStream w = new java.util.zip.GZIPOutputStream(gz)) {
            for (int i = 0; i < 20_000; i++) {
                w.write(("{\"type\":\"login\",\"eventId\":\"e" + i + "\",\"accountId\":\"acct-" + i % 50
                        + "\",\"eventTime\":" + (1772445600000L + i) + "}\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path cut = Files.write(tmp.resolve("copied-while-written.jsonl.gz"), java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        Path results = tmp.resolve("new-results");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"backtest", "--events", cut.toString(), "--out", results.toString(), "--parallelism", "1"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(results).as("made by the run, empty, and removed").doesNotExist();
    }

    @Test
    void aGapLongerThanMaxAheadIsPointedOutWithWhatToDo() throws Exception {
        Path events = Files.write(tmp.resolve("gap.jsonl"), List.of(
                "{\"type\":\"login\",\"eventId\":\"e1\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-01-01T10:00:00Z\"}",
                "{\"type\":\"login\",\"eventId\":\"e2\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-02-15T10:00:00Z\"}",
                "{\"type\":\"login\",\"eventId\":\"e3\",\"accountId\":\"acct-1\",\"eventTime\":\"2026-02-16T10:00:00Z\"}"));
        assertThat(backtest(events, tmp.resolve("gap"))).contains("  dead-lettered    2",
                "  note             2 of the dead letters were further ahead than --max-ahead (30d) of the event time reached",
                "run again with a longer --max-ahead, or --now at");
        assertThat(backtest(events, tmp.resolve("wide"), "--max-ahead", "60d")).contains("  dead-lettered    0").doesNotContain("  note ");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"backtest", "--events", events.toString(), "--out", tmp.resolve("x").toString(), "--max-ahead", "0s"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--max-ahead must be from 1m to 3650d, got '0s'");
    }

    @Test
    void aFolderOfFilesThatOverlapInTimeIsPointedOutWithWhatToDo() throws Exception {
        // One file a region, each over the same month: a folder reads them one after the other, so the second goes back in time.
        Path folder = Files.createDirectories(tmp.resolve("regions"));
        for (String region : List.of("eu", "us")) {
            List<String> lines = new java.util.ArrayList<>();
            for (int day = 1; day <= 20; day++) {
                lines.add(String.format("{\"type\":\"login\",\"eventId\":\"%s-%d\",\"accountId\":\"acct-%s\",\"eventTime\":\"2026-01-%02dT10:00:00Z\"}",
                        region, day, region, day));
            }
            Files.write(folder.resolve(region + ".jsonl"), lines);
        }
        assertThat(backtest(folder, tmp.resolve("folder"))).contains("  dead-lettered    12",
                "  note             12 of the dead letters were too late to de-duplicate: more than dedup.windowDays (7d) behind",
                "belong each in an --events of its own").doesNotContain("further ahead");
        assertThat(backtest(folder.resolve("eu.jsonl"), tmp.resolve("each"), "--events", folder.resolve("us.jsonl").toString()))
                .as("each file an input of its own: merged by event time").contains("  dead-lettered    0").doesNotContain("  note ");
    }

    /** What the command printed; it must end with status 0. */
    @Test
    void lateEventsOfAStripeInputAreToldThatAnEventsListDumpIsNewestFirst() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path fixture = Path.of("..").toAbsolutePath().normalize().resolve("jobs/src/test/resources/payloads/stripe/invoice.paid.json");
        com.fasterxml.jackson.databind.node.ArrayNode data = json.createArrayNode();
        for (int day = 3; day >= 0; day--) { // as `stripe events list` prints them: the newest first
            com.fasterxml.jackson.databind.node.ObjectNode e = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(fixture.toFile());
            e.put("id", "evt_" + day);
            e.put("created", 1772445600L + day * 86_400L);
            com.fasterxml.jackson.databind.node.ObjectNode invoice = (com.fasterxml.jackson.databind.node.ObjectNode) e.get("data").get("object");
            invoice.put("id", "in_" + day);
            ((com.fasterxml.jackson.databind.node.ObjectNode) invoice.get("status_transitions")).put("paid_at", 1772445600L + day * 86_400L);
            data.add(e);
        }
        Path list = Files.writeString(tmp.resolve("events-list.json"),
                json.createObjectNode().put("object", "list").set("data", data).toString());

        String out = backtest(Path.of("stripe=" + list), tmp.resolve("results"));

        assertThat(out).contains("  note             3 late events with a Stripe input: `stripe events list` prints the newest event first;");
    }

    private static String backtest(Path events, Path results, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(List.of("backtest", "--events", events.toString(), "--out", results.toString(),
                "--parallelism", "1"));
        args.addAll(List.of(more));
        int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
