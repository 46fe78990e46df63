package io.churnradar.outcome;

import static io.churnradar.play.OutcomeEvent.Kind.ENTERED;
import static io.churnradar.play.OutcomeEvent.Kind.LOST;
import static io.churnradar.play.OutcomeEvent.Kind.SAVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.play.OutcomeEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** outcomes.json from a planted set of outcome events: counts by entry, rates, interval, revenue, notes. */
class OutcomesJsonTest {
    @TempDir
    Path tmp;

    private static long day(int d) {
        return Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() + d * 86_400_000L;
    }

    private static OutcomeEvent treated(String playbook, String account, OutcomeEvent.Kind kind, int day, long mrr) {
        return new OutcomeEvent(playbook, account, false, kind, day(day), mrr);
    }

    private static OutcomeEvent heldOut(String playbook, String account, OutcomeEvent.Kind kind, int day, long mrr) {
        return new OutcomeEvent(playbook, account, true, kind, day(day), mrr);
    }

    /** Three playbooks: one with both groups settled, one without a settled control, one without a settled treated entry. */
    static List<OutcomeEvent> planted() {
        List<OutcomeEvent> e = new ArrayList<>();
        // call-owner, treated: 5 entries (acct-1 twice), 3 saved, 1 lost, 1 open (MRR unknown).
        e.add(treated("call-owner", "acct-1", ENTERED, 0, 10_000));
        e.add(treated("call-owner", "acct-1", SAVED, 60, 10_000));
        e.add(treated("call-owner", "acct-1", ENTERED, 70, 10_000)); // a new entry after the first settled
        e.add(treated("call-owner", "acct-1", SAVED, 130, 10_000));
        e.add(treated("call-owner", "acct-2", ENTERED, 1, 20_000));
        e.add(treated("call-owner", "acct-2", LOST, 20, 20_000));
        e.add(treated("call-owner", "acct-3", ENTERED, 2, 5_000));
        e.add(treated("call-owner", "acct-3", SAVED, 62, 5_000));
        e.add(treated("call-owner", "acct-4", ENTERED, 120, -1));
        // call-owner, held out: 3 entries, 1 saved, 2 lost.
        e.add(heldOut("call-owner", "acct-5", ENTERED, 0, 8_000));
        e.add(heldOut("call-owner", "acct-5", LOST, 9, 8_000));
        e.add(heldOut("call-owner", "acct-6", ENTERED, 3, 12_000));
        e.add(heldOut("call-owner", "acct-6", SAVED, 63, 12_000));
        e.add(heldOut("call-owner", "acct-7", ENTERED, 4, 4_000));
        e.add(heldOut("call-owner", "acct-7", LOST, 30, 4_000));
        // discount-offer: a treated entry saved, the only held-out one still open.
        e.add(treated("discount-offer", "acct-8", ENTERED, 5, 3_000));
        e.add(treated("discount-offer", "acct-8", SAVED, 65, 3_000));
        e.add(heldOut("discount-offer", "acct-9", ENTERED, 100, 7_000));
        // annual-plan: the treated entry still open, the held-out one lost.
        e.add(treated("annual-plan", "acct-10", ENTERED, 110, 9_000));
        e.add(heldOut("annual-plan", "acct-11", ENTERED, 6, 6_000));
        e.add(heldOut("annual-plan", "acct-11", LOST, 7, 6_000));
        return e;
    }

    static final String EXPECTED = """
            {
              "playbooks" : {
                "annual-plan" : {
                  "treated" : {
                    "entered" : 1,
                    "saved" : 0,
                    "lost" : 0,
                    "open" : 1,
                    "saveRate" : null,
                    "savedMrrMinor" : 0,
                    "settledMrrMinor" : 0
                  },
                  "heldOut" : {
                    "entered" : 1,
                    "saved" : 0,
                    "lost" : 1,
                    "open" : 0,
                    "saveRate" : 0.0000,
                    "savedMrrMinor" : 0,
                    "settledMrrMinor" : 6000
                  },
                  "uplift" : null,
                  "upliftCi95" : null,
                  "revenueSavedVsControlMinor" : null,
                  "note" : "no settled treated entries: no treated rate, so no uplift and no revenue against the control rate"
                },
                "call-owner" : {
                  "treated" : {
                    "entered" : 5,
                    "saved" : 3,
                    "lost" : 1,
                    "open" : 1,
                    "saveRate" : 0.7500,
                    "savedMrrMinor" : 25000,
                    "settledMrrMinor" : 45000
                  },
                  "heldOut" : {
                    "entered" : 3,
                    "saved" : 1,
                    "lost" : 2,
                    "open" : 0,
                    "saveRate" : 0.3333,
                    "savedMrrMinor" : 12000,
                    "settledMrrMinor" : 24000
                  },
                  "uplift" : 0.4167,
                  "upliftCi95" : [ -0.2257, 0.7568 ],
                  "revenueSavedVsControlMinor" : 10000
                },
                "discount-offer" : {
                  "treated" : {
                    "entered" : 1,
                    "saved" : 1,
                    "lost" : 0,
                    "open" : 0,
                    "saveRate" : 1.0000,
                    "savedMrrMinor" : 3000,
                    "settledMrrMinor" : 3000
                  },
                  "heldOut" : {
                    "entered" : 1,
                    "saved" : 0,
                    "lost" : 0,
                    "open" : 1,
                    "saveRate" : null,
                    "savedMrrMinor" : 0,
                    "settledMrrMinor" : 0
                  },
                  "uplift" : null,
                  "upliftCi95" : null,
                  "revenueSavedVsControlMinor" : null,
                  "note" : "no settled held-out entries: no control rate, so no uplift and no revenue against it"
                }
              }
            }""";

    @Test
    void writesTheExactDocument() throws Exception {
        Path file = tmp.resolve("out/outcomes.json");
        OutcomeTally tally = OutcomesJson.write(planted(), file);
        assertThat(tally.events()).isEqualTo(planted().size());
        // call-owner: uplift 3/4 - 1/3; revenue 25000 - 45000 × 1/3 = 10000;
        // interval Newcombe (3/4 vs 1/3) = [-0.22568, 0.75679].
        assertThat(normalized(Files.readString(file, StandardCharsets.UTF_8))).isEqualTo(EXPECTED);
    }

    @Test
    void theOrderOfTheEventsDoesNotMatter() throws Exception {
        List<OutcomeEvent> shuffled = planted();
        Collections.shuffle(shuffled, new Random(42));
        Collections.reverse(shuffled);
        Path file = tmp.resolve("outcomes.json");
        OutcomesJson.write(shuffled.iterator(), file);
        assertThat(normalized(Files.readString(file, StandardCharsets.UTF_8))).isEqualTo(EXPECTED);
    }

    @Test
    void noEventsNoPlaybooks() throws Exception {
        Path file = tmp.resolve("outcomes.json");
        OutcomesJson.write(List.of(), file);
        assertThat(normalized(Files.readString(file, StandardCharsets.UTF_8))).isEqualTo("{\n  \"playbooks\" : { }\n}");
    }

    @Test
    void settlementsWithoutTheirEntryNeverMakeOpenNegative() {
        OutcomeTally tally = new OutcomeTally();
        tally.add(treated("call-owner", "acct-1", SAVED, 60, 10_000)); // entered before the data began
        UpliftStats.Group g = tally.stats().get("call-owner").treated();
        assertThat(g.entered()).isZero();
        assertThat(g.saved()).isEqualTo(1);
        assertThat(g.open()).isZero();
    }

    @Test
    void anEventWithoutPlaybookIsRefused() {
        OutcomeTally tally = new OutcomeTally();
        assertThatThrownBy(() -> tally.add(treated(null, "acct-1", ENTERED, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Jackson's pretty printer ends lines with the platform separator. */
    private static String normalized(String json) {
        return json.replace("\r\n", "\n").strip();
    }
}
