package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.JsonEventParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./churn-radar convert}: a file of real Stripe payloads to our events, each rejected one with its reason. */
class ConvertCommandTest {
    static {
        TestTmp.ensure();
    }

    private static final Path PAYLOADS = Path.of("..").toAbsolutePath().normalize().resolve("jobs/src/test/resources/payloads");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** The fixture files as one payload a line, as a webhook log is kept. */
    private Path jsonLines(String format, String... fixtures) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String f : fixtures) lines.add(JSON.readTree(PAYLOADS.resolve(format).resolve(f).toFile()).toString());
        return Files.write(tmp.resolve(format + ".jsonl"), lines);
    }

    @Test
    void anOutputOverTheInputOrInItsFolderIsRefusedAndTheInputKept() throws Exception {
        Path in = jsonLines("stripe", "invoice.paid.json");
        String before = Files.readString(in);

        assertThat(run("convert", "--format", "stripe", "--in", in.toString(), "--out", in.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("which is --in itself");
        assertThat(run("convert", "--format", "stripe", "--in", tmp.toString(), "--out", tmp.resolve("events.jsonl").toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("in the --in folder");
        assertThat(Files.readString(in)).isEqualTo(before);
    }

    @Test
    void stripeEventsBecomeOurEventsAndTheRejectedOnesSayWhy() throws Exception {
        Path in = jsonLines("stripe", "customer.subscription.created.json", "invoice.paid.json", "invoice.payment_succeeded.json",
                "charge.failed.json");
        Files.writeString(in, Files.readString(in) + "{\"id\":\"evt_x\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1772446500,"
                + "\"data\":{\"object\":{\"id\":\"in_x\",\"amount_paid\":100,\"currency\":\"eur\"}}}\n"
                + "{\"id\":\"evt_y\",\"object\":\"event\",\"type\":\"customer.subscription.trial_will_end\",\"created\":1772446500,"
                + "\"data\":{\"object\":{\"id\":\"sub_y\"}}}\n");
        Path events = tmp.resolve("out/stripe-events.jsonl");

        assertThat(run("convert", "--format", "stripe", "--in", in.toString(), "--out", events.toString())).isZero();

        List<AccountEvent> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(events)) parsed.add(JsonEventParser.parse(line));
        assertThat(parsed).extracting(e -> e.type.jsonName + " " + e.eventId + " " + e.accountId).containsExactly(
                "subscription stripe:subscription:sub_1MowQVLkdIwHu7ixeRlqHVzs:created cus_NeZwdNtLEOXuvB",
                "payment stripe:invoice:in_1MtHbELkdIwHu7ixl4OzzPMv:paid cus_NeZwdNtLEOXuvB",
                "payment stripe:invoice:in_1MtHbELkdIwHu7ixl4OzzPMv:paid cus_NeZwdNtLEOXuvB",
                "payment stripe:charge:ch_3MmlLrLkdIwHu7ix0snN0B15:failed cus_NeZwdNtLEOXuvB");
        assertThat(parsed.get(0).mrrMinor).isEqualTo(5000);
        try (java.util.stream.Stream<Path> files = Files.list(tmp.resolve("out"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("stripe-events.jsonl",
                    "stripe-events.rejected.jsonl");
        }

        List<JsonNode> rejected = new ArrayList<>();
        for (String line : Files.readAllLines(tmp.resolve("out/stripe-events.rejected.jsonl"))) rejected.add(JSON.readTree(line));
        assertThat(rejected).hasSize(2);
        assertThat(rejected.get(0).get("reason").asText()).isEqualTo("no account: invoice in_x has no customer");
        assertThat(rejected.get(0).get("line").asLong()).isEqualTo(5);
        assertThat(rejected.get(0).get("original").asText()).contains("\"id\":\"evt_x\"");
        assertThat(rejected.get(1).get("skipped").asText()).startsWith("customer.subscription.trial_will_end");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("6 payloads", "events     4", "payment SUCCEEDED", "rejected   1, skipped 1",
                "rejected: no account: invoice in_… has no customer");
    }

    @Test
    void anInputCutOffLeavesNoHalfConvertedFileAndTheEarlierOneWhole() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            lines.add("{\"type\":\"login\",\"eventId\":\"e" + i + "\",\"accountId\":\"acct-" + i % 50 + "\",\"eventTime\":" + (1772445600000L + i) + "}");
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.io.OutputStream w = new java.util.zip.GZIPOutputStream(gz)) {
            w.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Path cut = Files.write(tmp.resolve("copied-while-written.jsonl.gz"), java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        Path folder = Files.createDirectories(tmp.resolve("converted"));
        Path events = Files.writeString(folder.resolve("events.jsonl"), "an earlier conversion\n");

        assertThat(run("convert", "--format", "json", "--in", cut.toString(), "--out", events.toString())).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains(cut + ": cannot be read as gzip after line");
        assertThat(Files.readString(events)).isEqualTo("an earlier conversion\n");
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no half file, visible or not").containsExactly("events.jsonl");
        }
    }

    @Test
    void aPrettyPrintedSinglePayloadIsReadWhole() throws Exception {
        Path events = tmp.resolve("zendesk.jsonl");
        assertThat(run("convert", "--format", "zendesk", "--in", PAYLOADS.resolve("zendesk/ticket.created.json").toString(),
                "--out", events.toString())).isZero();
        assertThat(JsonEventParser.parse(Files.readAllLines(events).get(0)).ticketId).isEqualTo("5158");
    }

    @Test
    void aMissingInputIsNamedByItsOwnOption() {
        Path missing = tmp.resolve("no-such-payloads.jsonl");
        assertThat(run("convert", "--format", "stripe", "--in", missing.toString(), "--out", tmp.resolve("events.jsonl").toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("convert: --in " + missing + ": no such file or folder")
                .doesNotContain("--events");
        assertThat(tmp.resolve("events.jsonl")).doesNotExist();
    }

    @Test
    void aFolderWhereTheRejectedPayloadsGoIsAUsageError() throws Exception {
        Files.createDirectories(tmp.resolve("events.rejected.jsonl"));
        assertThat(run("convert", "--format", "zendesk", "--in", PAYLOADS.resolve("zendesk/ticket.created.json").toString(),
                "--out", tmp.resolve("events.jsonl").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(tmp.resolve("events.rejected.jsonl")
                + " is a folder, where convert writes the rejected payloads");
        assertThat(tmp.resolve("events.jsonl")).doesNotExist();
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        assertThat(run("convert", "--format", "hubspot", "--in", "x", "--out", "y")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--format must be one of churn-radar, json, stripe, segment, zendesk, survey");
    }
}
