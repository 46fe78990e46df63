package io.churnradar.detect;

import static io.churnradar.detect.Days.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.input.EventTimeMerge;
import io.churnradar.backtest.input.InputRecord;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The backtest's event time ({@link EventTimeMerge} with the detector's {@link EventOrdering#withSortedInput}):
 * the events within the bound come sorted in the order the account's buffer applies them, so the detector
 * applies each on arrival; every output, every counter, is that of the streaming job's buffers and timers
 * over the same read order, late events and duplicates included; and with several inputs the detector gets
 * the same sequence however their reading interleaves.
 */
class EventTimeMergeTest {
    private static final long BOUND = 6 * Days.HOUR;

    /** EventTimeOrderTest's month of mixed traffic, plus a second usage event at the same instant as each account's first of the day. */
    private static List<AccountEvent> history() {
        List<AccountEvent> events = new ArrayList<>(EventTimeOrderTest.history());
        for (int d = 0; d < 30; d++) {
            for (int a = 0; a < EventTimeOrderTest.ACCOUNTS.length; a++) {
                events.add(Ev.usage(EventTimeOrderTest.ACCOUNTS[a], at(d, 9 + a), "exports", a % 2 == 1 && d >= 16 ? 1 : 3));
            }
        }
        return events;
    }

    /**
     * A read order with events up to the bound behind the newest, a re-sent copy of every tenth event a little later,
     * and a few events read a day or more after their time (late).
     */
    private static List<AccountEvent> readOrder(long seed) {
        List<AccountEvent> events = history();
        Random r = new Random(seed);
        List<Object[]> keyed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            AccountEvent e = events.get(i);
            keyed.add(new Object[] {e.eventTime + (long) (r.nextDouble() * BOUND / 2), i, e});
            if (i % 10 == 0) keyed.add(new Object[] {e.eventTime + (long) (r.nextDouble() * BOUND), i, e});
        }
        keyed.add(new Object[] {at(12, 0), -1, Ev.failed("acme", at(10, 23))});
        keyed.add(new Object[] {at(18, 0), -2, Ev.login("initech", at(16, 6))});
        keyed.add(new Object[] {at(26, 0), -3, Ev.usage("globex", at(24, 20), 40)});
        keyed.sort(Comparator.<Object[]>comparingLong(k -> (long) k[0]).thenComparingInt(k -> (int) k[1]));
        return keyed.stream().map(k -> (AccountEvent) k[2]).toList();
    }

    @Test
    void theSortedInputGivesEveryOutputAndCounterOfTheAccountsBuffers() throws Exception {
        for (long seed : new long[] {1, 2, 3}) {
            List<AccountEvent> read = readOrder(seed);
            Result buffered = buffered(read);
            Result sorted = sorted(read);
            assertThat(buffered.outputs.alerts()).isNotEmpty();
            assertThat(buffered.outputs.commands()).isNotEmpty();
            assertThat(buffered.late).as("late events in the read order " + seed).isEqualTo(3);
            assertThat(buffered.duplicates).as("duplicates in the read order " + seed).isPositive();
            assertThat(sorted.outputs.alerts()).as("alerts, scores and tiers included, read order " + seed).isEqualTo(buffered.outputs.alerts());
            assertThat(sorted.outputs.health()).as("health updates, read order " + seed).isEqualTo(buffered.outputs.health());
            assertThat(sorted.outputs.commands()).as("playbook decisions, read order " + seed).isEqualTo(buffered.outputs.commands());
            assertThat(List.of(sorted.accepted, sorted.duplicates, sorted.late))
                    .as("accepted, duplicates, late").isEqualTo(List.of(buffered.accepted, buffered.duplicates, buffered.late));
            assertThat(sorted.heldMost).as("the sorted input is never held by the detector").isZero();
        }
    }

    @Test
    void severalInputsGiveTheOutputsOfTheirMergedReadHoweverTheirReadingInterleaves() throws Exception {
        severalInputs(false);
    }

    @Test
    void severalInputsGiveTheOutputsOfTheirMergedReadWithManyLateEventsInOne() throws Exception {
        severalInputs(true);
    }

    /**
     * @param quietFirst the product history replays the quiet account's days before anyone else's, so the other
     *     accounts' first days are late in it, and go on in the order they were read
     */
    private static void severalInputs(boolean quietFirst) throws Exception {
        List<AccountEvent> read = readOrder(4);
        // Two inputs, as a billing history and a product history would be: each read in its own order, the billing
        // history ending days before the other, so which input ends last is a matter of speed.
        List<AccountEvent> billing = read.stream()
                .filter(e -> e.type == io.churnradar.ingest.EventType.PAYMENT && e.eventTime < at(20, 0)).toList();
        List<AccountEvent> product = new ArrayList<>(read.stream().filter(e -> e.type != io.churnradar.ingest.EventType.PAYMENT).toList());
        // An account that goes quiet after twenty days: what it is owed comes from day closes up to the newest data.
        for (int d = 0; d < 20; d++) {
            AccountEvent login = Ev.login("hooli", at(d, 8));
            int i = 0;
            while (!quietFirst && product.get(i).eventTime < login.eventTime) i++;
            product.add(quietFirst ? d : i, login);
        }
        assertThat(product.get(product.size() - 1).eventTime).isGreaterThan(at(25, 0));
        assertThat(billing).isNotEmpty();
        Result merged = buffered(mergedByTime(billing, product));
        if (quietFirst) assertThat(merged.late).as("late events of the two inputs").isGreaterThan(100);
        else assertThat(merged.late).as("late events of the two inputs").isPositive();
        Random r = new Random(7);
        for (int round = 0; round < 4; round++) {
            // One input read far ahead of the other, or the two in turns: Flink reads them at their own speeds.
            int[] turns = new int[billing.size() + product.size()];
            int b = 0;
            int p = 0;
            for (int i = 0; i < turns.length; i++) {
                boolean billingNext = p == product.size() || b < billing.size()
                        && (round == 0 ? true : round == 1 ? false : r.nextInt(round == 2 ? 2 : 50) == 0);
                turns[i] = billingNext ? 0 : 1;
                if (billingNext) b++;
                else p++;
            }
            Result result = detected(merge(List.of(billing, product), turns));
            assertThat(result.outputs.alerts()).as("alerts, interleaving " + round).isEqualTo(merged.outputs.alerts());
            assertThat(result.outputs.health()).as("health updates, interleaving " + round).isEqualTo(merged.outputs.health());
            assertThat(result.outputs.commands()).as("playbook decisions, interleaving " + round).isEqualTo(merged.outputs.commands());
            assertThat(List.of(result.accepted, result.duplicates, result.late))
                    .as("accepted, duplicates, late; interleaving " + round).isEqualTo(List.of(merged.accepted, merged.duplicates, merged.late));
        }
    }

    /** Two read orders merged by the time of their next events, the first on a tie: one reader reading both in event time. */
    private static List<AccountEvent> mergedByTime(List<AccountEvent> first, List<AccountEvent> second) {
        List<AccountEvent> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < first.size() || j < second.size()) {
            if (j == second.size() || i < first.size() && first.get(i).eventTime <= second.get(j).eventTime) out.add(first.get(i++));
            else out.add(second.get(j++));
        }
        return out;
    }

    @Test
    void heldEventsGoOnInTheDetectorsOrderOnceTheWatermarkPassesThemAndLateOnesAtOnce() throws Exception {
        AccountEvent a = Ev.login("acme", at(1, 10));
        AccountEvent b = Ev.login("acme", at(1, 9)); // read after a, within the bound
        AccountEvent tieLow = Ev.usage("acme", at(1, 12), 1);
        AccountEvent tieHigh = Ev.usage("acme", at(1, 12), 2);
        if (EventBuffer.compare(tieLow, tieHigh) > 0) {
            AccountEvent t = tieLow;
            tieLow = tieHigh;
            tieHigh = t;
        }
        AccountEvent far = Ev.login("acme", at(2, 0));
        AccountEvent late = Ev.login("acme", at(1, 8)); // behind the watermark once far is read
        AccountEvent last = Ev.login("acme", at(2, 1));
        List<Object> out = sort(List.of(a, b, tieHigh, tieLow, far, late, last)).stream()
                .map(o -> o instanceof AccountEvent e ? e.eventId : o).toList();

        assertThat(out).containsExactly(
                new Watermark(at(1, 10) - BOUND - 1), // a's read moves the watermark; a and b wait for it to pass them
                new Watermark(at(1, 12) - BOUND - 1),
                b.eventId, a.eventId, tieLow.eventId, tieHigh.eventId, // once far's read moves it past them: in event time, a tie by the id's hash
                new Watermark(at(2, 0) - BOUND - 1),
                late.eventId, // at once, under the watermark it is late against
                new Watermark(at(2, 1) - BOUND - 1),
                far.eventId, last.eventId, Watermark.MAX_WATERMARK); // the end of the input: the rest in order, then the end of event time
    }

    /** What the merge passes on of one input read in this order. */
    private static List<Object> sort(List<AccountEvent> read) throws Exception {
        return merge(List.of(read), new int[read.size()]);
    }

    /**
     * What the merge passes on, its events (copies: the harness serializes them) and watermarks in order, of
     * inputs read in the interleaving {@code turns} gives (the input of each next record): each record marked
     * late against its own input's watermark, which its source makes per event, as the backtest's reading does;
     * the merge's watermark the slowest input's, as Flink makes it for a union.
     */
    private static List<Object> merge(List<List<AccountEvent>> inputs, int[] turns) throws Exception {
        List<Object> out = new ArrayList<>();
        int n = inputs.size();
        List<WatermarkGenerator<AccountEvent>> generators = new ArrayList<>();
        long[] watermarks = new long[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            generators.add(EventTimeWatermarks.generator(Duration.ofMillis(BOUND)));
            watermarks[i] = inputs.get(i).isEmpty() ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        try (var h = new OneInputStreamOperatorTestHarness<InputRecord, AccountEvent>(new EventTimeMerge(Duration.ofMillis(BOUND)))) {
            h.open();
            long combined = Long.MIN_VALUE;
            for (int input : turns) {
                AccountEvent e = inputs.get(input).get(next[input]++);
                InputRecord r = new InputRecord();
                r.event = e;
                r.input = input;
                r.lines = 1;
                if (e.eventTime <= watermarks[input]) r.lateAgainst = watermarks[input];
                h.processElement(r, e.eventTime);
                int i = input;
                generators.get(input).onEvent(e, e.eventTime, new WatermarkOutput() {
                    @Override
                    public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark w) {
                        watermarks[i] = w.getTimestamp();
                    }

                    @Override
                    public void markIdle() {}

                    @Override
                    public void markActive() {}
                });
                combined = slowest(h, watermarks, combined);
                if (next[input] == inputs.get(input).size()) {
                    watermarks[input] = Long.MAX_VALUE; // the input's end
                    combined = slowest(h, watermarks, combined);
                }
            }
            h.endInput();
            for (Object o : h.getOutput()) {
                if (o instanceof StreamRecord<?> r) {
                    assertThat(r.getTimestamp()).as("the record's timestamp is its event time").isEqualTo(((AccountEvent) r.getValue()).eventTime);
                    out.add(r.getValue());
                } else if (o instanceof Watermark w) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    /** Flink's watermark of a union: the slowest input's, passed on when it moves. */
    private static long slowest(OneInputStreamOperatorTestHarness<InputRecord, AccountEvent> h, long[] watermarks, long combined)
            throws Exception {
        long min = Arrays.stream(watermarks).min().getAsLong();
        if (min > combined) h.processWatermark(new Watermark(min));
        return Math.max(min, combined);
    }

    private record Result(EventTimeOrderTest.Outputs outputs, long accepted, long duplicates, long late, int heldMost) {}

    /** The streaming job's way: the read order as it comes, watermarks trailing the newest event by the bound. */
    private static Result buffered(List<AccountEvent> read) throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.defaults())) {
            h.sendTrailing(read, Long.MIN_VALUE, BOUND);
            h.watermark(Long.MAX_VALUE);
            return new Result(EventTimeOrderTest.Outputs.of(h), h.counter(ChurnDetector.ACCEPTED), h.counter(ChurnDetector.DUPLICATES),
                    h.counter(ChurnDetector.LATE), 0);
        }
    }

    /** The backtest's way: the read order through the sort, the detector applying each event on arrival. */
    private static Result sorted(List<AccountEvent> read) throws Exception {
        return detected(sort(read));
    }

    /** The detector applying what the merge passed on, each event on arrival. */
    private static Result detected(List<Object> merged) throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.defaults().withSortedInput())) {
            int heldMost = 0;
            for (Object o : merged) {
                if (o instanceof AccountEvent e) {
                    h.send(e);
                    AccountState s = h.accountState(e.accountId);
                    heldMost = Math.max(heldMost, EventBuffer.size(s));
                } else {
                    h.watermark(((Watermark) o).getTimestamp());
                }
            }
            return new Result(EventTimeOrderTest.Outputs.of(h), h.counter(ChurnDetector.ACCEPTED), h.counter(ChurnDetector.DUPLICATES),
                    h.counter(ChurnDetector.LATE), heldMost);
        }
    }
}
