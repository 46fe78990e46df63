package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.report.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backtest --report} on a small history with churn, playbooks, model scores and retention KPIs,
 * opened in a real headless chromium without network: every chart draws, and no script fails.
 */
class BacktestReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY0 = BacktestPlaybooksTest.at(0, 0);
    private static final int DAYS = 160;
    private static final List<String> CHARTS = List.of("chart-alerts-per-day", "chart-signal-quality", "chart-lead-time",
            "chart-reliability", "chart-lift", "chart-health-tiers", "chart-health-quantiles", "chart-uplift", "chart-kpis");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    static Instant at(int day, int hour) {
        return BacktestPlaybooksTest.at(day, hour);
    }

    static String event(String type, String id, String acct, Instant t, String extra) {
        return BacktestPlaybooksTest.event(type, id, acct, t, extra);
    }

    /**
     * The playbook test's accounts (dunning treated and held out, a cancellation), plus three accounts that
     * slide (usage drops, logins stop, they cancel weeks later), one that lapses without cancelling and
     * three steady ones that keep event time going for 160 days; sorted by event time.
     */
    static List<String> history() throws Exception {
        List<String> lines = new ArrayList<>(BacktestPlaybooksTest.history());
        String[] reasons = {"too_expensive", "missing_feature", "too_expensive"};
        for (int i = 0; i < 3; i++) {
            String a = "acct-slide-" + i;
            lines.add(event("subscription", a + "-plan", a, at(0, 5), ",\"action\":\"PLAN_CHANGED\",\"plan\":\"team\",\"mrrMinor\":9900"));
            for (int d = 0; d < 30 + i; d++) {
                lines.add(event("login", a + "-l" + d, a, at(d, 8), ""));
                lines.add(event("usage", a + "-u" + d, a, at(d, 9), ",\"feature\":\"reports\",\"quantity\":" + (d < 20 ? 10 : 2)));
            }
            lines.add(event("subscription", a + "-cancel", a, at(60 + 5 * i, 12), ",\"action\":\"CANCELED\",\"reason\":\"" + reasons[i] + "\""));
        }
        for (int d = 0; d < 40; d++) lines.add(event("login", "acct-lapsed-l" + d, "acct-lapsed", at(d, 8), ""));
        for (int i = 0; i < 3; i++) {
            String a = "acct-steady-" + i;
            lines.add(event("subscription", a + "-plan", a, at(0, 5), ",\"action\":\"PLAN_CHANGED\",\"plan\":\"starter\",\"mrrMinor\":2900"));
            for (int d = 0; d < DAYS; d++) {
                lines.add(event("login", a + "-l" + d, a, at(d, 8), ""));
                lines.add(event("usage", a + "-u" + d, a, at(d, 9), ",\"feature\":\"reports\",\"quantity\":5"));
            }
        }
        List<String[]> timed = new ArrayList<>();
        for (String l : lines) timed.add(new String[] {JSON.readTree(l).get("eventTime").asText(), l});
        timed.sort(Comparator.comparing(t -> Instant.parse(t[0])));
        return timed.stream().map(t -> t[1]).toList();
    }

    @Test
    void theReportRendersEveryChartInAHeadlessBrowserWithoutErrors() throws Exception {
        HeadlessChromium browser = HeadlessChromium.require();
        Path events = Files.write(tmp.resolve("events.jsonl"), history(), StandardCharsets.UTF_8);
        Path out = Files.createDirectories(tmp.resolve("out"));
        // A model in the rules: the run writes scores.jsonl, which the report's model section reads.
        Rules rules = Rules.defaults().withModel(io.churnradar.config.ModelReference.of(
                io.churnradar.testing.TestChurnModels.write(tmp.resolve("model.json"))));

        BacktestJob.run(List.of(new BacktestInput(InputFormat.CHURN_RADAR, events)), FormatOptions.defaults(), out, rules,
                Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig(), BacktestLimits.defaults(), null, true);

        Path page = out.resolve("report.html");
        String html = Files.readString(page);
        String markup = html.replaceAll("(?s)(<script[^>]*>).*?</script>", "$1</script>"); // the page without its scripts' text
        assertThat(markup).as("self-contained: no script, style or image fetched, and a policy that forbids any fetch")
                .doesNotContainPattern("<script[^>]*\\ssrc=").doesNotContainPattern("<link\\s").doesNotContainPattern("<img\\s")
                .contains("content=\"default-src 'none';");
        assertThat(Files.list(out).map(p -> p.getFileName().toString())).as("the scratch folder is gone")
                .noneMatch(n -> n.startsWith(".backtest-scratch-"));

        // Kept for a look in a browser after the build (target/ is the build's own folder).
        Files.createDirectories(Path.of("target", "report-test"));
        Files.copy(page, Path.of("target", "report-test", "report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        String dom = browser.dumpDom(page, tmp);
        Matcher status = Pattern.compile("<p id=\"report-status\"([^>]*)>([^<]*)</p>").matcher(dom);
        assertThat(status.find()).as("the status line is in the DOM").isTrue();
        Matcher errors = Pattern.compile("<pre id=\"report-errors\">([^<]*)</pre>").matcher(dom);
        String errorText = errors.find() ? errors.group(1) : "";
        assertThat(status.group(1)).as("status %s; errors: %s", status.group(2), errorText)
                .contains("data-state=\"rendered\"").contains("data-errors=\"0\"")
                .contains("data-charts=\"" + CHARTS.size() + "\"");
        for (String chart : CHARTS) {
            int at = dom.indexOf("id=\"" + chart + "\"");
            assertThat(at).as("chart %s is on the page", chart).isPositive();
            int next = dom.indexOf("class=\"chart\"", at + 1);
            String block = dom.substring(at, next < 0 ? dom.indexOf("id=\"report-status\"") : next);
            assertThat(block).as("chart %s holds a drawn SVG", chart).contains("<svg").containsPattern("<path[^>]* d=\"M");
        }
        assertThat(dom).contains("Brier score").contains("too_expensive").doesNotContain("No model was given")
                .as("subscription events in the history: the outcomes need no warning").doesNotContain("has no subscription events");
    }
}
