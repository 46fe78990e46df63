package io.churnradar.backtest;

import static io.churnradar.testing.SourcePayloads.segmentGroup;
import static io.churnradar.testing.SourcePayloads.segmentTrack;
import static io.churnradar.testing.SourcePayloads.stripeInvoiceFailed;
import static io.churnradar.testing.SourcePayloads.stripeInvoicePaid;
import static io.churnradar.testing.SourcePayloads.stripeSubscriptionCreated;
import static io.churnradar.testing.SourcePayloads.zendeskTicketCreated;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.config.Rules;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay of Stripe, Segment and Zendesk histories of the same weeks together, each in its own file and
 * format: the account is named by Stripe metadata, a Segment group and a Zendesk organization alike,
 * and the alerts are those of the same facts written as our events.
 */
class MixedSourcesBacktestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    @Test
    void stripeSegmentAndZendeskReplayTogetherAndRaiseTheirAlerts() throws Exception {
        // Stripe: acme subscribes on 1 March, pays (announced three ways), then three collection attempts fail.
        List<String> stripe = new ArrayList<>(List.of(
                stripeSubscriptionCreated("evt_sub", "sub_acme", "cus_A", "acme", "2026-03-01T08:00:00Z", "2026-03-31T08:00:00Z"),
                stripeInvoicePaid("evt_paid", "invoice.paid", "in_1", "cus_A", "acme", 5000, "2026-03-01T08:00:05Z", "2026-03-01T08:00:06Z"),
                stripeInvoicePaid("evt_succ", "invoice.payment_succeeded", "in_1", "cus_A", "acme", 5000, "2026-03-01T08:00:05Z",
                        "2026-03-01T08:00:07Z"),
                stripeInvoiceFailed("evt_f1", "invoice.payment_failed", "in_2", "cus_A", "acme", 5000, 1, "2026-03-05T08:00:00Z"),
                stripeInvoiceFailed("evt_f1b", "invoice.payment_action_required", "in_2", "cus_A", "acme", 5000, 1, "2026-03-05T08:00:01Z"),
                stripeInvoiceFailed("evt_f2", "invoice.payment_failed", "in_2", "cus_A", "acme", 5000, 2, "2026-03-08T08:00:00Z"),
                "{\"id\":\"evt_bad\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1772900000,\"data\":{\"object\":"
                        + "{\"id\":\"in_x\",\"currency\":\"eur\",\"amount_paid\":1}}}",
                stripeInvoiceFailed("evt_f3", "invoice.payment_failed", "in_2", "cus_A", "acme", 5000, 3, "2026-03-11T08:00:00Z"),
                "{\"id\":\"evt_prod\",\"object\":\"event\",\"type\":\"product.created\",\"created\":1772900000,\"data\":{\"object\":{\"id\":\"prod_1\"}}}"));

        // Segment: u1 is grouped into acme, then signs in without naming the account until 3 March;
        // globex keeps signing in every day to the end of the month, which carries event time along.
        List<String> segment = new ArrayList<>();
        segment.add(segmentTrack("m-early", "u9", null, "Report Built", "2026-03-01T07:00:00Z")); // before any link
        segment.add(segmentGroup("m-group", "u1", "acme", "2026-03-01T09:00:00Z"));
        for (int d = 1; d <= 3; d++) segment.add(segmentTrack("m-in-" + d, "u1", null, "Signed In", "2026-03-0" + d + "T10:00:00Z"));
        for (LocalDate d = LocalDate.parse("2026-03-01"); d.isBefore(LocalDate.parse("2026-03-31")); d = d.plusDays(1)) {
            segment.add(segmentTrack("g-in-" + d, "g1", "globex", "Signed In", d + "T11:00:00Z"));
        }

        // Zendesk: three tickets of acme's organization in three days, and one without organization.
        List<String> zendesk = List.of(
                zendeskTicketCreated("z1", "101", "acme", "NORMAL", "2026-03-10T12:00:00Z"),
                zendeskTicketCreated("z2", "102", "acme", "HIGH", "2026-03-11T12:00:00Z"),
                zendeskTicketCreated("z0", "100", null, "LOW", "2026-03-11T13:00:00Z"),
                zendeskTicketCreated("z3", "103", "acme", "NORMAL", "2026-03-12T12:00:00Z"));

        Path s = Files.write(tmp.resolve("stripe.jsonl"), stripe);
        Path g = Files.write(tmp.resolve("segment.jsonl"), segment);
        Path z = Files.write(tmp.resolve("zendesk.jsonl"), zendesk);
        FormatOptions options = FormatOptions.defaults();
        options.stripeAccountMetadataKey = "account_id";
        Path out = tmp.resolve("out");

        BacktestSummary summary = BacktestJob.run(List.of(
                        new BacktestInput(InputFormat.STRIPE, s), new BacktestInput(InputFormat.SEGMENT, g), new BacktestInput(InputFormat.ZENDESK, z)),
                options, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());

        List<String> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            JsonNode a = JSON.readTree(line);
            alerts.add(a.get("detectedAt").asText() + " " + a.get("accountId").asText() + " " + a.get("signal").asText() + " "
                    + a.get("status").asText() + " " + a.get("severity").asText());
        }
        assertThat(alerts).containsExactly(
                "2026-03-05T08:00:00Z acme PAYMENT_FAILED RAISED HIGH",
                // Stripe's current_period_end is the renewal date: 21 days away, with two failed payments.
                // Event-time order: the close of 2026-03-10 scores only what happened by then (read ahead, the
                // 03-11 failure used to count in it); the score falls below 50 at the next close.
                "2026-03-11T08:00:00Z acme PAYMENT_FAILED UPDATED CRITICAL",
                "2026-03-12T00:00:00Z acme RENEWAL_AT_RISK RAISED HIGH",
                "2026-03-12T12:00:00Z acme TICKET_SPIKE RAISED MEDIUM",
                "2026-03-15T08:00:00Z acme ONBOARDING_STALLED RAISED MEDIUM",
                "2026-03-17T10:00:00Z acme INACTIVITY RAISED MEDIUM",
                "2026-03-18T00:00:00Z acme TICKET_SPIKE RESOLVED MEDIUM");

        // One paid invoice announced twice, one failed attempt announced twice: each counted once.
        assertThat(summary.duplicates).isEqualTo(2);
        // The group call links u1 to acme and has no event of its own: it counts as skipped, so that the counts add up.
        assertThat(summary.skipped).isEqualTo(1);
        List<String> dead = Files.readAllLines(out.resolve("dead-letter.jsonl"));
        assertThat(dead).hasSize(4);
        assertThat(String.join("\n", dead)).contains(
                "no account: invoice in_x has no metadata.account_id",
                "Stripe event type 'product.created' carries no churn signal",
                "user u9 has not been linked to an account",
                "no account: ticket 100 has no detail.organization_id");
        assertThat(summary.deadLettered).isEqualTo(4);
        assertThat(summary.files).isEqualTo(3);
        assertThat(summary.linesRead).isEqualTo(stripe.size() + segment.size() + zendesk.size());
        assertThat(summary.eventsAccepted + summary.duplicates + summary.deadLettered + summary.skipped + summary.blankLines)
                .as("every line counted once").isEqualTo(summary.linesRead);
    }

    @Test
    void aCallOfAUserNeverLinkedCountsForTheInputsEventTimeAsInTheStream() throws Exception {
        // The streaming job reads a Segment call's time before it looks the user's link up downstream: u9's call, never
        // linked, moves the input's event time to 12:00 there, and u1's call of 10:00 read after it is late. The
        // backtest of the same calls does the same.
        List<String> segment = List.of(
                segmentGroup("m-group", "u1", "acme", "2026-03-01T09:00:00Z"),
                segmentTrack("m-u9", "u9", null, "Report Built", "2026-03-01T12:00:00Z"),
                segmentTrack("m-u1", "u1", null, "Signed In", "2026-03-01T10:00:00Z"));
        Path g = Files.write(tmp.resolve("segment.jsonl"), segment);
        BacktestSummary summary = BacktestJob.run(List.of(new BacktestInput(InputFormat.SEGMENT, g)), FormatOptions.defaults(),
                tmp.resolve("out"), Rules.defaults(), Duration.ofMinutes(10), 1, BacktestEndToEndTest.flinkConfig());
        assertThat(summary.deadLettered).isEqualTo(1);
        assertThat(summary.eventsAccepted).isEqualTo(1);
        assertThat(summary.lateEvents).as("u1's call, two hours behind the unlinked one read before it").isEqualTo(1);
        assertThat(String.join("\n", Files.readAllLines(tmp.resolve("out/dead-letter.jsonl")))).contains("user u9 has not been linked");
    }
}
