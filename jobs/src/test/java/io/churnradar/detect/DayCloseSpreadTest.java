package io.churnradar.detect;

import static io.churnradar.detect.Days.HOUR;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * {@code eventTime.dayCloseSpread} moves only when an account's day closes and deadlines are computed, never
 * what they emit: the same history, fed with the same watermarks, gives the same alerts, health updates and
 * playbook decisions per account with and without a spread, in event-time order (held events, late events) and
 * in arrival order, up to the end of the input; each account still has at most one timer; and the spread does
 * hold closes back (fewer outputs at some watermark than without it).
 */
class DayCloseSpreadTest {
    private static final int ACCOUNTS = 24;
    private static final int DAYS = 30;
    private static final long MINUTE = 60_000L;
    private static final Duration SPREAD = Duration.ofHours(1);

    /** Per hour of event time, the events dated in it (read in a shuffled order); a few late ones among them. */
    private static List<List<AccountEvent>> history() {
        Random r = new Random(8);
        List<List<AccountEvent>> hours = new ArrayList<>();
        for (int h = 0; h < DAYS * 24; h++) hours.add(new ArrayList<>());
        for (int a = 0; a < ACCOUNTS; a++) {
            String acc = "acct-" + a;
            int stopsLoggingIn = a % 3 == 0 ? 8 + a % 5 : DAYS; // INACTIVITY deadlines at varied times
            int usageDropsFrom = a % 2 == 0 ? 16 : DAYS; // USAGE_DROP at a day close
            for (int d = 0; d < DAYS; d++) {
                // Minutes after midnight too: inside the spread, after the close they follow.
                long t = day(d) + (a * 7L + d * 13L) % (24 * 60) * MINUTE + r.nextInt(50_000);
                if (d < stopsLoggingIn) add(hours, Ev.login(acc, t));
                add(hours, Ev.usage(acc, t + 1_000, d < usageDropsFrom ? 20 : 3));
                if (d == 5 + a % 7) add(hours, Ev.failed(acc, day(d) + 3 * MINUTE + a * 1_000));
                if (d == 9 + a % 7 && a % 4 == 1) add(hours, Ev.succeeded(acc, day(d) + 20 * MINUTE));
                if (a % 5 == 2 && d >= 20 && d <= 22) add(hours, Ev.ticket(acc, day(d) + 1 * MINUTE + a * 1_000));
                if (a % 6 == 4 && d % 4 == 1) {
                    // Late: read an hour after it is due, behind the watermark (dated at it).
                    long late = day(d) + 10 * MINUTE;
                    hours.get((int) ((late - day(0)) / HOUR) + 1).add(Ev.usage(acc, late, 1));
                }
            }
        }
        for (List<AccountEvent> h : hours) Collections.shuffle(h, r);
        return hours;
    }

    private static void add(List<List<AccountEvent>> hours, AccountEvent e) {
        int h = (int) ((e.eventTime - day(0)) / HOUR);
        if (h < hours.size()) hours.get(h).add(e);
    }

    /** What one run emitted, per account and kind of output in emission order, and how many outputs there were after each watermark. */
    record Run(Map<String, List<String>> outputs, List<Integer> countAfterEachWatermark) {}

    private static Run run(EventOrdering ordering, List<List<AccountEvent>> history) throws Exception {
        return run(ordering, Integer.MAX_VALUE, ordering, history);
    }

    /**
     * A run that takes a snapshot before hour {@code restoreAt} (or before the end of the input when it is the
     * history's length) and goes on from it with {@code after}: its timers fire where {@code before} put them.
     */
    private static Run run(EventOrdering before, int restoreAt, EventOrdering after, List<List<AccountEvent>> history) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        List<Integer> counts = new ArrayList<>();
        int emittedBefore = 0;
        DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), before);
        try {
            for (int hour = 0; hour <= history.size(); hour++) {
                if (hour == restoreAt) {
                    OperatorSubtaskState snapshot = h.snapshot(1);
                    emittedBefore += collect(h, out);
                    h.close();
                    h = DetectorHarness.restoreInEventTimeOrder(Rules.defaults(), snapshot, after);
                }
                if (hour == history.size()) break;
                h.send(history.get(hour).toArray(AccountEvent[]::new));
                // 10 minutes behind the newest event: the events of the hour's last 10 minutes are held.
                long watermark = day(0) + (hour + 1) * HOUR - 10 * MINUTE - 1;
                h.watermark(watermark);
                counts.add(emittedBefore + h.alerts().size() + h.health().size() + h.commands().size());
                assertThat(h.timers()).as("one timer per account at most").isLessThanOrEqualTo(ACCOUNTS);
                if (hour % 24 == 0) {
                    for (int a = 0; a < ACCOUNTS; a++) {
                        AccountState s = h.accountState("acct-" + a);
                        if (s != null && s.pendingTimer != AccountState.NONE) assertThat(s.pendingTimer).isGreaterThan(watermark);
                    }
                }
            }
            // The input ends 5 minutes into a day: with the spread most accounts' close of the day before is still due.
            h.send(Ev.login("acct-0", day(DAYS) + 15 * MINUTE));
            h.watermark(day(DAYS) + 5 * MINUTE);
            h.watermark(Long.MAX_VALUE);
            collect(h, out);
        } finally {
            h.close();
        }
        return new Run(out, counts);
    }

    /** Adds what the harness emitted to the outputs per account and kind, in emission order; returns how many. */
    private static int collect(DetectorHarness h, Map<String, List<String>> out) {
        for (var a : h.alerts()) out.computeIfAbsent(a.getAccountId() + " alerts", k -> new ArrayList<>()).add("alert " + a);
        for (var x : h.health()) out.computeIfAbsent(x.getAccountId() + " health", k -> new ArrayList<>()).add("health " + x);
        for (var c : h.commands()) out.computeIfAbsent(c.getAccountId() + " commands", k -> new ArrayList<>()).add("command " + c);
        return h.alerts().size() + h.health().size() + h.commands().size();
    }

    @Test
    void theSpreadChangesNoOutputInEventTimeOrder() throws Exception {
        sameOutputs(EventOrdering.defaults());
    }

    @Test
    void theSpreadChangesNoOutputInArrivalOrder() throws Exception {
        sameOutputs(EventOrdering.arrival());
    }

    private static void sameOutputs(EventOrdering ordering) throws Exception {
        List<List<AccountEvent>> history = history();
        Run plain = run(ordering, history);
        Run spread = run(ordering.withDayCloseSpread(SPREAD), history);
        assertThat(plain.outputs().values().stream().flatMap(List::stream).filter(l -> l.startsWith("alert")))
                .as("the history raises alerts").hasSizeGreaterThan(ACCOUNTS);
        assertThat(spread.outputs()).isEqualTo(plain.outputs());
        boolean heldBack = false;
        for (int i = 0; i < plain.countAfterEachWatermark().size(); i++) {
            heldBack |= spread.countAfterEachWatermark().get(i) < plain.countAfterEachWatermark().get(i);
        }
        assertThat(heldBack).as("some close came later with the spread").isTrue();
    }

    /**
     * A spread changed between a snapshot and its restore (the setting, or a version that places the offsets
     * otherwise): the restored timers fire where the old spread put them and are re-planned with the new one, and
     * the outputs are still those without a spread, the closes owed at the end of the input included.
     */
    @Test
    void timersRestoredFromAnotherSpreadChangeNoOutput() throws Exception {
        List<List<AccountEvent>> history = history();
        Run plain = run(EventOrdering.defaults(), history);
        EventOrdering hour = EventOrdering.defaults().withDayCloseSpread(SPREAD);
        EventOrdering fiveMinutes = EventOrdering.defaults().withDayCloseSpread(Duration.ofMinutes(5));
        assertThat(run(hour, DAYS * 24 / 2, fiveMinutes, history).outputs()).as("restored mid-history").isEqualTo(plain.outputs());
        assertThat(run(hour, DAYS * 24, fiveMinutes, history).outputs()).as("restored just before the end").isEqualTo(plain.outputs());
        assertThat(run(fiveMinutes, DAYS * 24, hour, history).outputs()).as("to a wider spread").isEqualTo(plain.outputs());
    }

    @Test
    void theOffsetIsAFixedHashOfTheAccountWithinTheSpread() {
        EventOrdering o = EventOrdering.defaults().withDayCloseSpread(SPREAD);
        Set<Long> offsets = new TreeSet<>();
        for (int a = 0; a < 5_000; a++) {
            long offset = o.wakeUpOffset("acct-" + a);
            assertThat(offset).isEqualTo(EventOrdering.defaults().withDayCloseSpread(SPREAD).wakeUpOffset("acct-" + a));
            offsets.add(offset);
        }
        long slice = EventOrdering.SPREAD_SLICE.toMillis();
        assertThat(o.spreadSlices()).isEqualTo(SPREAD.toMillis() / slice);
        assertThat(offsets).as("the start of one of the spread's slices, each used").hasSize((int) o.spreadSlices())
                .allSatisfy(offset -> assertThat(offset % slice).isZero());
        assertThat(Collections.min(offsets)).isZero();
        assertThat(Collections.max(offsets)).isEqualTo(SPREAD.toMillis() - slice);
        assertThat(EventOrdering.defaults().wakeUpOffset("acct-1")).isZero();
    }

    @Test
    void aShortSpreadIsCutInTenSlices() {
        assertThat(EventOrdering.defaults().withDayCloseSpread(Duration.ofMinutes(5)).spreadSlices()).isEqualTo(10);
        EventOrdering minute = EventOrdering.defaults().withDayCloseSpread(Duration.ofMinutes(1));
        assertThat(minute.spreadSlices()).isEqualTo(EventOrdering.MIN_SPREAD_SLICES);
        Set<Long> offsets = new TreeSet<>();
        for (int a = 0; a < 1_000; a++) offsets.add(minute.wakeUpOffset("acct-" + a));
        assertThat(offsets).containsExactly(0L, 6_000L, 12_000L, 18_000L, 24_000L, 30_000L, 36_000L, 42_000L, 48_000L, 54_000L);
        EventOrdering sevenMs = EventOrdering.defaults().withDayCloseSpread(Duration.ofMillis(7));
        assertThat(sevenMs.spreadSlices()).as("shorter than ten milliseconds: one each").isEqualTo(7);
        assertThat(sevenMs.wakeUpOffset("acct-1")).isBetween(0L, 6L);
    }
}
