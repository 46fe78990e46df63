package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.Rules;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.guard.Oversize;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile lines mixed into the planted history: each is dead-lettered with its reason, the run goes on,
 * and the alerts are exactly those of the history without them.
 */
class HostileBacktestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Twenty megabytes on one line: the size that ended whole backtests. */
    private static final int HUGE = 20 * 1024 * 1024;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    private BacktestSummary run(Path events, Path out, BacktestLimits limits) throws Exception {
        return BacktestJob.run(events, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig(), limits);
    }

    /** The hostile lines, as bytes (one is not UTF-8), each with the start of the reason it must be dead-lettered with. */
    private record Hostile(byte[] line, String reason) {}

    private static List<Hostile> hostile() {
        List<Hostile> h = new ArrayList<>();
        // A date inside 2000..2100 but 73 years ahead: it would make every later event late.
        h.add(new Hostile(utf8("{\"type\":\"login\",\"eventId\":\"future\",\"accountId\":\"acct-steady\",\"eventTime\":\"2099-01-01T00:00:00Z\"}"),
                "eventTime 2099-01-01T00:00:00Z is more than 30d ahead of the event time reached"));
        // The producer retry of a failure seventeen days back: its original's id is no longer kept.
        h.add(new Hostile(utf8("{\"type\":\"payment\",\"eventId\":\"pay-3\",\"accountId\":\"acct-pay\",\"eventTime\":\"2026-03-04T12:00:00Z\","
                + "\"status\":\"FAILED\",\"amountMinor\":4900,\"currency\":\"EUR\",\"invoiceId\":\"inv-pay-3\",\"failureCode\":\"card_declined\"}"),
                "too late to de-duplicate: eventTime 2026-03-04T12:00:00Z is more than 7d"));
        h.add(new Hostile(utf8("{\"type\":\"usage\",\"eventId\":\"acct-drop-usage-5\",\"accountId\":\"acct-drop\",\"eventTime\":\"2026-03-06T10:00:00Z\","
                + "\"feature\":\"reports\",\"quantity\":10}"), "too late to de-duplicate"));
        h.add(new Hostile(utf8("{\"type\":\"usage\",\"eventId\":\"huge-usage\",\"accountId\":\"acct-drop\",\"eventTime\":\"2026-03-21T11:00:00Z\","
                + "\"feature\":\"reports\",\"quantity\":1e308}"), "quantity 1.0E308 is above 1.0E12"));
        h.add(new Hostile(utf8("{\"type\":\"login\",\"eventId\":\"ctl\",\"accountId\":\"acct-steady\\u0007\",\"eventTime\":\"2026-03-21T11:00:00Z\"}"),
                "accountId contains the control character U+0007"));
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.writeBytes(utf8("{\"type\":\"login\",\"eventId\":\"bad-utf8\",\"accountId\":\"acct-"));
        bad.write(0xC3);
        bad.write(0x28);
        bad.writeBytes(utf8("\",\"eventTime\":\"2026-03-21T11:00:00Z\"}"));
        h.add(new Hostile(bad.toByteArray(), "accountId contains invalid UTF-8 (U+FFFD)"));
        return h;
    }

    private static byte[] hugeLine() {
        byte[] start = utf8("{\"type\":\"login\",\"eventId\":\"big\",\"accountId\":\"acct-steady\",\"eventTime\":\"2026-03-21T11:00:00Z\",\"pad\":\"");
        byte[] line = new byte[HUGE];
        java.util.Arrays.fill(line, (byte) 'x');
        System.arraycopy(start, 0, line, 0, start.length);
        line[HUGE - 2] = '"';
        line[HUGE - 1] = '}';
        return line;
    }

    @Test
    void hostileLinesAreDeadLetteredAndThePlantedAlertsStayExactlyTheSame() throws Exception {
        List<String> normal = new PlantedHistory().lines;
        Path plainOut = tmp.resolve("plain");
        BacktestSummary plain = runPlain(normal, plainOut);

        // In the middle of the history (after day 20), as in the run that found them.
        int middle = middleOf(normal);
        List<Hostile> hostile = hostile();
        byte[] huge = hugeLine();
        Path mixed = tmp.resolve("mixed.jsonl");
        try (OutputStream o = Files.newOutputStream(mixed)) {
            for (int i = 0; i < normal.size(); i++) {
                if (i == middle) {
                    for (Hostile h : hostile) line(o, h.line);
                    line(o, huge);
                }
                line(o, utf8(normal.get(i)));
            }
        }
        Path out = tmp.resolve("mixed");
        BacktestSummary s = run(mixed, out, BacktestLimits.defaults());

        assertThat(Files.readString(out.resolve("alerts.jsonl"))).isEqualTo(Files.readString(plainOut.resolve("alerts.jsonl")));
        assertThat(Files.readString(out.resolve("health.jsonl"))).isEqualTo(Files.readString(plainOut.resolve("health.jsonl")));
        assertThat(s.alertsTotal).isEqualTo(8);
        assertThat(s.eventsAccepted).isEqualTo(plain.eventsAccepted);
        assertThat(s.duplicates).isEqualTo(plain.duplicates);
        assertThat(s.lateEvents).isEqualTo(plain.lateEvents);
        assertThat(s.lastEventTime).isEqualTo(plain.lastEventTime);
        assertThat(s.deadLettered).isEqualTo(plain.deadLettered + hostile.size() + 1);
        assertThat(s.linesRead).isEqualTo(plain.linesRead + hostile.size() + 1);

        List<JsonNode> dead = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("dead-letter.jsonl"))) dead.add(JSON.readTree(l));
        for (int i = 0; i < hostile.size(); i++) {
            long line = middle + 1 + i;
            JsonNode at = dead.stream().filter(n -> n.get("line").asLong() == line).findFirst().orElseThrow();
            assertThat(at.get("reason").asText()).as("line " + line).startsWith(hostile.get(i).reason);
            // Bytes that are not UTF-8 read as U+FFFD: the dead letter keeps them all as they were; a line of UTF-8 needs no copy.
            if (hostile.get(i).reason.contains("invalid UTF-8")) {
                assertThat(java.util.Base64.getDecoder().decode(at.get("originalBase64").asText())).isEqualTo(hostile.get(i).line);
            } else {
                assertThat(at.has("originalBase64")).as("line " + line).isFalse();
            }
        }
        JsonNode big = dead.stream().filter(n -> n.get("line").asLong() == middle + 1 + hostile.size()).findFirst().orElseThrow();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(huge));
        assertThat(big.get("reason").asText()).isEqualTo("too large: " + HUGE + " bytes, above --max-line-bytes (262144); the first "
                + Oversize.KEPT_BYTES + " bytes are kept, sha256 " + sha);
        assertThat(big.get("originalBytes").asLong()).isEqualTo(HUGE);
        assertThat(big.get("sha256").asText()).isEqualTo(sha);
        assertThat(big.get("originalTruncated").asBoolean()).isTrue();
        assertThat(big.get("original").asText()).hasSize(Oversize.KEPT_BYTES).startsWith("{\"type\":\"login\",\"eventId\":\"big\"");
    }

    /**
     * One line dated 25 days ahead of its neighbours, within --max-ahead, in the middle of the history: it took the
     * input's event time with it, so every later event was late or refused as beyond de-duplication, and every
     * account got alerts of the quiet days it made. Now it moves no one's event time: every other account's alerts
     * are exactly those of the history without it, and no event is late or refused.
     */
    @Test
    void aLineDatedWeeksAheadOfItsNeighboursMovesNoOnesEventTime() throws Exception {
        List<String> normal = new PlantedHistory().lines;
        Path plainOut = tmp.resolve("plain");
        BacktestSummary plain = runPlain(normal, plainOut);
        int middle = middleOf(normal);
        String at = JSON.readTree(normal.get(middle)).get("eventTime").asText();
        List<String> mixed = new ArrayList<>(normal);
        mixed.add(middle, "{\"type\":\"login\",\"eventId\":\"ahead\",\"accountId\":\"acct-ahead\",\"eventTime\":\""
                + Instant.parse(at).plus(Duration.ofDays(25)) + "\"}");
        Path out = tmp.resolve("mixed");
        BacktestSummary s = run(Files.write(tmp.resolve("mixed.jsonl"), mixed, StandardCharsets.UTF_8), out, BacktestLimits.defaults());

        List<String> others = Files.readAllLines(out.resolve("alerts.jsonl")).stream().filter(l -> !l.contains("\"acct-ahead\"")).toList();
        assertThat(others).isEqualTo(Files.readAllLines(plainOut.resolve("alerts.jsonl")));
        assertThat(s.deadLettered).isEqualTo(plain.deadLettered);
        assertThat(s.lateEvents).isEqualTo(plain.lateEvents);
        assertThat(s.eventsAccepted).isEqualTo(plain.eventsAccepted + 1);
    }

    /**
     * Judged against the event time reached, a hostile first line would set the pace; with the end of the
     * history given as --now it is dead-lettered like any other.
     */
    @Test
    void withNowGivenEvenAHostileFirstLineChangesNothing() throws Exception {
        List<String> normal = new PlantedHistory().lines;
        BacktestLimits limits = new BacktestLimits(Instant.parse("2026-04-11T00:00:00Z"), Duration.ofHours(1),
                BacktestLimits.DEFAULT_MAX_LINE_BYTES);
        Path plainOut = tmp.resolve("plain");
        run(Files.write(tmp.resolve("plain.jsonl"), normal, StandardCharsets.UTF_8), plainOut, limits);

        List<String> mixed = new ArrayList<>();
        mixed.add("{\"type\":\"login\",\"eventId\":\"future\",\"accountId\":\"acct-steady\",\"eventTime\":\"2099-01-01T00:00:00Z\"}");
        mixed.addAll(normal);
        Path out = tmp.resolve("mixed");
        BacktestSummary s = run(Files.write(tmp.resolve("mixed.jsonl"), mixed, StandardCharsets.UTF_8), out, limits);

        assertThat(Files.readString(out.resolve("alerts.jsonl"))).isEqualTo(Files.readString(plainOut.resolve("alerts.jsonl")));
        assertThat(s.alertsTotal).isEqualTo(8);
        JsonNode first = JSON.readTree(Files.readAllLines(out.resolve("dead-letter.jsonl")).get(0));
        assertThat(first.get("line").asLong()).isEqualTo(1);
        assertThat(first.get("reason").asText())
                .isEqualTo("eventTime 2099-01-01T00:00:00Z is more than 1h ahead of now (2026-04-11T00:00:00Z; --max-ahead)");
    }

    /** The planted history as it is, with the default limits: what a run with hostile lines mixed in must equal. */
    private BacktestSummary runPlain(List<String> normal, Path out) throws Exception {
        return run(Files.write(tmp.resolve("plain.jsonl"), normal, StandardCharsets.UTF_8), out, BacktestLimits.defaults());
    }

    /** The line of the history after day 20, where hostile lines go. */
    private static int middleOf(List<String> normal) {
        return normal.indexOf(normal.stream().filter(l -> l.contains("acct-steady-login-21")).findFirst().orElseThrow());
    }

    private static void line(OutputStream o, byte[] line) throws java.io.IOException {
        o.write(line);
        o.write('\n');
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
