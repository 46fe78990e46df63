package io.churnradar.detect;

import static io.churnradar.detect.Days.HOUR;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.results.AlertJson;
import io.churnradar.backtest.results.CommandJson;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.config.Rules;
import io.churnradar.ingest.AccountEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On RocksDB the detector keeps the accounts it changed as objects and writes them when they leave its cache or at
 * a checkpoint ({@link AccountCache}). With more accounts than the cache takes (so accounts leave it) and a
 * checkpoint taken while it keeps some, in event-time order (accounts holding events) and in arrival order (none
 * held), the outputs equal the heap backend's, which writes every account at once, and the restored job carries on
 * as one that never stopped.
 */
class AccountCacheTest {
    /** A small cache, so that hundreds of accounts leave it (the job's holds {@link AccountCache#DEFAULT_CAPACITY}). */
    private static final int CAPACITY = 64;
    private static final int ACCOUNTS = 300;
    private static final int DAYS = 20;
    private static final long BOUND = 5_000;

    @ParameterizedTest
    @EnumSource(EventOrdering.Order.class)
    void onRocksDbWithAccountsLeavingTheCacheAndACheckpointBetweenTheOutputsEqualTheHeaps(EventOrdering.Order order) throws Exception {
        EventOrdering ordering = order == EventOrdering.Order.EVENT_TIME ? EventOrdering.defaults() : EventOrdering.arrival();
        List<AccountEvent> events = history();
        List<String> onHeap;
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), ordering, new HashMapStateBackend())) {
            assertThat(h.keyedBackendClass()).contains("Heap");
            h.sendTrailing(events, Long.MIN_VALUE, BOUND);
            assertThat(h.accountsCached()).as("the heap backend's state holds the objects: nothing kept apart").isZero();
            h.watermark(day(DAYS + 1));
            h.watermark(Long.MAX_VALUE);
            onHeap = outputs(h);
        }
        assertThat(onHeap).hasSizeGreaterThan(ACCOUNTS); // health of every account, alerts and decisions of many

        int half = events.size() / 2;
        OperatorSubtaskState snapshot;
        List<String> before;
        long watermark;
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), ordering, new EmbeddedRocksDBStateBackend())
                .cacheAccounts(CAPACITY)) {
            assertThat(h.keyedBackendClass()).contains("RocksDB");
            watermark = h.sendTrailing(events.subList(0, half), Long.MIN_VALUE, BOUND);
            assertThat(h.accountsWrittenOnLeaving()).as("accounts beyond the cache written as they left").isPositive();
            if (order == EventOrdering.Order.EVENT_TIME) {
                assertThat(h.accountsCached()).as("accounts holding events at the checkpoint").isPositive();
            }
            assertThat(h.accountsCached()).isLessThanOrEqualTo(CAPACITY);
            snapshot = h.snapshot(1);
            assertThat(h.accountsCached()).as("every account written before the checkpoint").isZero();
            before = outputs(h);
        }
        try (DetectorHarness h = DetectorHarness.restoreInEventTimeOrder(Rules.defaults(), snapshot, ordering,
                new EmbeddedRocksDBStateBackend()).cacheAccounts(CAPACITY)) {
            h.sendTrailing(events.subList(half, events.size()), watermark, BOUND);
            h.watermark(day(DAYS + 1));
            h.watermark(Long.MAX_VALUE);
            List<String> all = new ArrayList<>(before);
            all.addAll(outputs(h));
            all.sort(Comparator.naturalOrder());
            assertThat(all).isEqualTo(onHeap);
            // What a reader of the state sees (the harness writes the held accounts first) is the account as the detector left it.
            AccountState last = h.accountState(account(ACCOUNTS - 1));
            assertThat(last.firstEventDay).isEqualTo(SignalEngine.dayOf(day(0)));
            assertThat(last.buffered).isEmpty();
        }
    }

    /**
     * Accounts that hold no events are kept while they come back before they leave the cache: 32 accounts in turn
     * through a 64-account cache stay in it. 300 accounts in turn leave it unread, and the cache stops keeping such
     * accounts, tries again after {@link AccountCache#PAUSE_CAPACITIES} capacities of them, and stops again. The
     * outputs are the heap backend's throughout.
     */
    @Test
    void accountsThatComeBackAreKeptAndThoseThatDoNotAreWrittenAtOnce() throws Exception {
        List<AccountEvent> returning = inTurn(0, 32, 320, day(0) + 9 * HOUR);
        List<AccountEvent> passing = inTurn(1_000, 300, 1_200, day(0) + 10 * HOUR);
        List<String> onHeap;
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.arrival(), new HashMapStateBackend())) {
            long wm = h.sendTrailing(returning, Long.MIN_VALUE, BOUND);
            h.sendTrailing(passing, wm, BOUND);
            onHeap = outputs(h);
        }
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.arrival(), new EmbeddedRocksDBStateBackend())
                .cacheAccounts(CAPACITY)) {
            long wm = h.sendTrailing(returning, Long.MIN_VALUE, BOUND);
            assertThat(h.keepingIdleAccounts()).isTrue();
            assertThat(h.accountsCached()).as("every account that comes back, kept").isEqualTo(32);
            assertThat(h.accountsWrittenOnLeaving()).isZero();

            List<Boolean> keeping = new ArrayList<>();
            for (AccountEvent e : passing) {
                wm = h.sendTrailing(List.of(e), wm, BOUND);
                boolean now = h.keepingIdleAccounts();
                if (keeping.isEmpty() || keeping.get(keeping.size() - 1) != now) keeping.add(now);
            }
            assertThat(keeping).as("kept, stopped, tried again, stopped").containsExactly(true, false, true, false);
            assertThat(outputs(h)).isEqualTo(onHeap);
        }
    }

    /** {@code events} usage events of {@code accounts} accounts (numbered from {@code first}) in turn, a second apart. */
    private static List<AccountEvent> inTurn(int first, int accounts, int events, long from) {
        List<AccountEvent> out = new ArrayList<>();
        for (int k = 0; k < events; k++) out.add(Ev.usage(account(first + k % accounts), from + k * 1_000L, 20));
        return out;
    }

    /** Every account: usage each day (a third of them dropping after day 10), a login every other day, a failed payment now and then. */
    private static List<AccountEvent> history() {
        List<AccountEvent> out = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            String acc = account(i);
            long offset = 9 * HOUR + i * 10L; // every account's events within 3 seconds: all of them held at once
            for (int d = 0; d < DAYS; d++) {
                double quantity = i % 3 == 0 && d >= 10 ? 2 : 20 + i % 5;
                out.add(Ev.usage(acc, day(d) + offset, quantity));
                if (d % 2 == 0) out.add(Ev.login(acc, day(d) + offset + 60_000));
                if (i % 11 == 0 && d % 6 == 5) out.add(Ev.failed(acc, at(d, 23)));
            }
        }
        // Read in event time, each event up to the bound behind its neighbour: the order within the bound must change nothing.
        out.sort(Comparator.comparingLong((AccountEvent e) -> e.eventTime).thenComparing(e -> e.eventId));
        for (int k = 0; k + 1 < out.size(); k += 2) {
            if (out.get(k + 1).eventTime - out.get(k).eventTime < BOUND) java.util.Collections.swap(out, k, k + 1);
        }
        return out;
    }

    private static String account(int i) {
        return String.format("acct-%05d", i);
    }

    private static List<String> outputs(DetectorHarness h) {
        return Stream.of(h.alerts().stream().map(AlertJson::toJson), h.health().stream().map(x -> HealthJson.toJson(x, false)),
                        h.commands().stream().map(CommandJson::toJson))
                .flatMap(s -> s).sorted().toList();
    }
}
