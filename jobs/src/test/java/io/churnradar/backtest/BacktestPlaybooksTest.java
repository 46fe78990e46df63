package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.Rules;
import io.churnradar.testing.ControlGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backtest's playbook outputs on planted cases: commands.jsonl (only what would be sent),
 * command-audit.jsonl (every decision with its disposition) and outcomes.json.
 */
class BacktestPlaybooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int DAYS = 75;

    /** Paid after one failure: exactly one dunning email. */
    static final String PAID = treated("paid", "dunning", "high-risk-slack");
    /** Three failures in a row: the whole dunning sequence and a CSM task. */
    static final String DUNNED = treated("dunned", "dunning", "dunning-exhausted");
    /** Canceled on day 10: offboarding survey, win-back at 30 and 60 days, no journey. */
    static final String CHURNED = treated("churned", "win-back", "re-engagement");
    /** Marked do-not-contact: internal actions only. */
    static final String QUIET = treated("quiet", "dunning");
    /** In the dunning control group. */
    static final String HELD = heldOut("held", "dunning");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    static Path tmp;

    static Path out;
    static BacktestSummary summary;

    static String treated(String prefix, String... playbooks) {
        return ControlGroups.treated("acct-" + prefix, playbooks);
    }

    static String heldOut(String prefix, String playbook) {
        return ControlGroups.heldOut("acct-" + prefix, playbook);
    }

    static Instant at(int day, int hour) {
        return DAY0.plus(day, ChronoUnit.DAYS).plus(hour, ChronoUnit.HOURS);
    }

    static String event(String type, String id, String acct, Instant t, String extra) {
        return String.format("{\"type\":\"%s\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":\"%s\"%s}", type, id, acct, t, extra);
    }

    static String payment(String id, String acct, Instant t, String status) {
        return event("payment", id, acct, t, ",\"status\":\"" + status + "\",\"amountMinor\":4900,\"currency\":\"EUR\",\"invoiceId\":\"inv-" + id + "\"");
    }

    static List<String> history() {
        List<String> lines = new ArrayList<>();
        lines.add(event("subscription", "q-0", QUIET, at(0, 6), ",\"action\":\"PLAN_CHANGED\",\"plan\":\"team\",\"mrrMinor\":9000,\"doNotContact\":true"));
        lines.add(event("subscription", "p-0", PAID, at(0, 6), ",\"action\":\"PLAN_CHANGED\",\"plan\":\"team\",\"mrrMinor\":4900"));
        for (int d = 0; d < DAYS; d++) {
            for (String a : List.of(PAID, DUNNED, QUIET, HELD)) {
                lines.add(event("login", a + "-l" + d, a, at(d, 7), ""));
                lines.add(event("usage", a + "-u" + d, a, at(d, 9), ",\"feature\":\"reports\",\"quantity\":5"));
            }
            if (d <= 10) lines.add(event("login", CHURNED + "-l" + d, CHURNED, at(d, 7), ""));
            switch (d) {
                case 2 -> {
                    lines.add(payment("paid-f", PAID, at(2, 10), "FAILED"));
                    lines.add(payment("dunned-f1", DUNNED, at(2, 10), "FAILED"));
                    lines.add(payment("quiet-f", QUIET, at(2, 10), "FAILED"));
                    lines.add(payment("held-f", HELD, at(2, 10), "FAILED"));
                }
                case 4 -> lines.add(payment("paid-s", PAID, at(4, 10), "SUCCEEDED"));
                case 5 -> lines.add(payment("dunned-f2", DUNNED, at(5, 11), "FAILED"));
                case 9 -> lines.add(payment("dunned-f3", DUNNED, at(9, 11), "FAILED"));
                case 10 -> lines.add(event("subscription", "c-10", CHURNED, at(10, 12), ",\"action\":\"CANCELED\",\"reason\":\"too_expensive\""));
                case 20 -> {
                    lines.add(payment("dunned-s", DUNNED, at(20, 10), "SUCCEEDED"));
                    lines.add(payment("quiet-s", QUIET, at(20, 10), "SUCCEEDED"));
                    lines.add(payment("held-s", HELD, at(20, 10), "SUCCEEDED"));
                }
                default -> {}
            }
        }
        return lines;
    }

    @BeforeAll
    static void run() throws Exception {
        Path file = Files.write(tmp.resolve("events.jsonl"), history(), StandardCharsets.UTF_8);
        out = tmp.resolve("out");
        summary = BacktestJob.run(file, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());
    }

    static List<JsonNode> read(String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(BacktestPlaybooksTest.out.resolve(name))) out.add(JSON.readTree(l));
        return out;
    }

    /** "account ACTION issuedAt [DISPOSITION(reason)]" lines of one account. */
    static List<String> lines(List<JsonNode> commands, String account, boolean withDisposition) {
        return commands.stream().filter(c -> c.get("accountId").asText().equals(account))
                .map(c -> c.get("action").asText() + " " + c.get("issuedAt").asText()
                        + (withDisposition ? " " + c.get("disposition").asText()
                                + (c.has("dispositionReason") ? "(" + c.get("dispositionReason").asText() + ")" : "") : ""))
                .toList();
    }

    @Test
    void anAccountThatPaidAfterOneFailureGetsExactlyOneDunningEmail() throws Exception {
        assertThat(lines(read("commands.jsonl"), PAID, false)).containsExactlyInAnyOrder(
                "SEND_DUNNING_EMAIL " + at(2, 10),
                "NOTIFY_SLACK " + at(2, 10),
                "RETRY_PAYMENT " + at(2, 10));
    }

    @Test
    void threeFailuresRunTheWholeDunningSequenceAndHandOverToACsm() throws Exception {
        assertThat(lines(read("commands.jsonl"), DUNNED, false)).containsExactlyInAnyOrder(
                "SEND_DUNNING_EMAIL " + at(2, 10),
                "NOTIFY_SLACK " + at(2, 10),
                "RETRY_PAYMENT " + at(2, 10),
                "SEND_DUNNING_EMAIL " + at(5, 10),
                "RETRY_PAYMENT " + at(5, 10),
                "SEND_DUNNING_EMAIL " + at(9, 10),
                "RETRY_PAYMENT " + at(9, 10),
                "CREATE_CSM_TASK " + at(9, 11));
    }

    @Test
    void aChurnedAccountGetsTheOffboardingSurveyAndWinBackButNoJourney() throws Exception {
        assertThat(lines(read("command-audit.jsonl"), CHURNED, true)).containsExactlyInAnyOrder(
                "OFFBOARDING_SURVEY " + at(10, 12) + " SEND",
                "NOTIFY_SLACK " + at(10, 12) + " SEND",
                "ENROLL_JOURNEY " + at(24, 7) + " SUPPRESSED(churned)",
                "START_WIN_BACK " + at(40, 12) + " SEND",
                "START_WIN_BACK " + at(70, 12) + " SEND");
    }

    @Test
    void doNotContactKeepsOnlyTheInternalActions() throws Exception {
        assertThat(lines(read("command-audit.jsonl"), QUIET, true)).contains(
                "SEND_DUNNING_EMAIL " + at(2, 10) + " SUPPRESSED(do-not-contact)",
                "NOTIFY_SLACK " + at(2, 10) + " SEND",
                "RETRY_PAYMENT " + at(2, 10) + " SEND");
        assertThat(lines(read("commands.jsonl"), QUIET, false)).noneMatch(l -> l.startsWith("SEND_DUNNING_EMAIL"));
    }

    @Test
    void aHeldOutAccountIsAuditedAndSentNothingOfThePlaybook() throws Exception {
        List<String> audit = lines(read("command-audit.jsonl"), HELD, true);
        assertThat(audit).filteredOn(l -> !l.startsWith("NOTIFY_SLACK")).hasSize(6).allMatch(l -> l.endsWith("HOLDOUT(control-group)"));
        assertThat(lines(read("commands.jsonl"), HELD, false)).containsExactly("NOTIFY_SLACK " + at(2, 10));
    }

    @Test
    void filesAreOrderedAndCommandsAreTheSentPartOfTheAudit() throws Exception {
        List<JsonNode> audit = read("command-audit.jsonl");
        List<JsonNode> sent = read("commands.jsonl");
        assertThat(sent).allMatch(c -> c.get("disposition").asText().equals("SEND"));
        assertThat(sent).containsExactlyElementsOf(audit.stream().filter(c -> c.get("disposition").asText().equals("SEND")).toList());
        List<String> keys = audit.stream().map(c -> c.get("issuedAt").asText() + " " + c.get("accountId").asText() + " "
                + c.get("commandId").asText()).toList();
        assertThat(keys).isSorted().doesNotHaveDuplicates();
        assertThat(summary.commandsSent).isEqualTo(sent.size());
        assertThat(summary.commandDecisions.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(audit.size());
    }

    @Test
    void outcomesCountTheTreatedAndHeldOutEntriesAndTheirFate() throws Exception {
        JsonNode outcomes = JSON.readTree(out.resolve("outcomes.json").toFile());
        JsonNode dunning = outcomes.get("playbooks").get("dunning");
        assertThat(dunning.get("treated").get("entered").asLong()).isEqualTo(3);
        assertThat(dunning.get("treated").get("saved").asLong()).isEqualTo(3);
        assertThat(dunning.get("heldOut").get("entered").asLong()).isEqualTo(1);
        assertThat(dunning.get("heldOut").get("saved").asLong()).isEqualTo(1);
        assertThat(dunning.get("treated").get("savedMrrMinor").asLong()).isEqualTo(4900 + 9000);
        JsonNode winBack = outcomes.get("playbooks").get("win-back");
        assertThat(winBack.get("treated").get("lost").asLong()).as("no reactivation within 60 days").isEqualTo(1);
    }
}
