package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.DAY;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.ingest.AccountEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;

/** The same (accountId, eventId) within 7 days of event time counts once and changes no figure. */
class DeduplicationTest {

    @Test
    void reSendingEveryEventChangesNothing() throws Exception {
        List<AccountEvent> events = Scenario.mixedEvents();
        List<String> once;
        try (DetectorHarness h = DetectorHarness.open()) {
            Scenario.replay(h, events);
            once = h.alerts().stream().map(a -> AlertLines.line(a) + " " + a.getAlertId() + " " + a.getEvidence()).toList();
            assertThat(lines(h.alerts())).isEqualTo(Scenario.expectedMixedAlerts());
        }
        List<AccountEvent> twice = new ArrayList<>();
        for (AccountEvent e : events) {
            twice.add(e);
            twice.add(e); // re-sent at once
        }
        // ... and some re-sent again a few days of event time later, still within the window.
        for (int i = 0; i < events.size(); i += 5) twice.add(Ev.copy(events.get(i), events.get(i).eventTime + 3 * DAY, 99));
        twice.sort(java.util.Comparator.comparingLong(e -> e.eventTime));
        try (DetectorHarness h = DetectorHarness.open()) {
            Scenario.replay(h, twice);
            assertThat(h.alerts().stream().map(a -> AlertLines.line(a) + " " + a.getAlertId() + " " + a.getEvidence()).toList())
                    .isEqualTo(once);
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(events.size());
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(twice.size() - events.size());
        }
    }

    @Test
    void aDuplicatePaymentFailureDoesNotExtendTheStreak() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            AccountEvent first = Ev.failed("acc", at(1, 9));
            AccountEvent second = Ev.failed("acc", at(2, 9));
            h.send(first, second, first, second, Ev.copy(second, at(8, 9), 0));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("consecutiveFailures", "1");
        }
    }

    @Test
    void aDuplicateTicketDoesNotMakeASpike() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            AccountEvent t = Ev.ticket("acc", at(1, 9));
            h.send(t, Ev.ticket("acc", at(1, 10)), t, Ev.copy(t, at(2, 9), 0));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void theSameIdMoreThanSevenDaysApartIsANewEvent() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            AccountEvent e = AccountEvent.usage("id-1", "acc", at(0, 9), "api", 1);
            h.send(e);
            h.send(AccountEvent.usage("id-1", "acc", at(0, 9) + 7 * DAY, "api", 1)); // exactly 7 days: duplicate
            h.send(AccountEvent.usage("id-1", "acc", at(0, 9) + 7 * DAY + 1, "api", 1)); // just over: counts
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(2);
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(1);
        }
    }

    @Test
    void idsOlderThanTheWindowArePrunedAtTimers() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            List<Long> ids = new ArrayList<>();
            for (int d = 0; d < 7; d++) {
                AccountEvent e = Ev.usage("acc", at(d, 9), 2);
                ids.add(SeenEventIds.hash(e.eventId));
                h.send(e);
            }
            assertThat(h.seenEventIds("acc")).containsOnlyKeys(ids);
            h.watermark(day(9)); // timers prune ids before day(9) - 7 days = day 2 00:00
            assertThat(h.seenEventIds("acc")).containsOnlyKeys(ids.subList(2, 7));
            h.watermark(day(14));
            assertThat(h.seenEventIds("acc")).isEmpty();
        }
    }

    @Test
    void aBusyAccountsOlderIdsStayDuplicatesInTheListBesideItsValueOnRocksDbAndAcrossARestore() throws Exception {
        List<AccountEvent> week;
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (DetectorHarness h = DetectorHarness.open(DetectorHarness.signalsOnly(), new EmbeddedRocksDBStateBackend())) {
            week = fiveBusyDays(h);
            AccountState s = h.accountState("acc");
            assertThat(s.listedIds).as("most ids moved to the list").isGreaterThanOrEqualTo(40);
            assertThat(SeenEventIds.size(s)).isLessThan(SeenEventIds.RECENT_IDS);
            assertThat(h.seenEventIds("acc")).containsOnlyKeys(week.stream().map(e -> SeenEventIds.hash(e.eventId)).toList());
            snapshot = h.snapshot(1);
        }
        try (DetectorHarness h = DetectorHarness.restore(snapshot, new EmbeddedRocksDBStateBackend())) {
            for (AccountEvent e : week) h.send(Ev.copy(e, e.eventTime + 2 * DAY, 0)); // each re-sent two days later
            h.send(AccountEvent.usage("acc-new", "acc", at(5, 9), "api", 1));
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(week.size());
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(1);
        }
    }

    /**
     * The release before two tiers kept every id of the window in the account's value: such an account restores as it
     * is, its ids the value's own, and they move to the list at its next event, duplicates all the same.
     */
    @Test
    void anAccountWithEveryIdInItsValueAsTheReleaseBeforeStoredItMovesThemToTheListAtItsNextEvent() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(DetectorHarness.signalsOnly(), new EmbeddedRocksDBStateBackend())) {
            List<AccountEvent> week = fiveBusyDays(h);
            java.util.Map<Long, Long> ids = h.seenEventIds("acc");
            AccountState before = h.accountState("acc");
            before.seenIdHashes = ids.keySet().stream().mapToLong(Long::longValue).toArray();
            before.seenIdTimes = ids.keySet().stream().mapToLong(ids::get).toArray();
            before.listedIdPrints = new char[0];
            before.listedIdDays = new int[0];
            before.listedIds = 0;
            before.idsForgottenBefore = AccountState.NONE;
            h.putAccountState("acc", before, List.of());
            assertThat(h.seenEventIds("acc")).isEqualTo(ids);

            h.send(AccountEvent.usage("acc-new", "acc", at(5, 9), "api", 1));
            AccountState after = h.accountState("acc");
            assertThat(after.listedIds).isEqualTo(week.size() + 1);
            assertThat(SeenEventIds.size(after)).isZero();
            for (AccountEvent e : week) h.send(Ev.copy(e, e.eventTime + 2 * DAY, 0));
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(week.size());
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(week.size() + 1);
        }
    }

    /**
     * Layout 3 wrote the list's batches as pairs of hash and time: an account restored with its ids so listed keeps them
     * as duplicates, and the batch it lists next is packed beside them.
     */
    @Test
    void anAccountWhoseListHoldsPairsAsLayoutThreeWroteThemKeepsItsDuplicatesAndPacksItsNextBatch() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(DetectorHarness.signalsOnly(), new EmbeddedRocksDBStateBackend())) {
            List<AccountEvent> week = fiveBusyDays(h);
            java.util.Map<Long, Long> ids = h.seenEventIds("acc");
            AccountState before = h.accountState("acc");
            int n = ids.size();
            long[] pairs = new long[2 * n];
            before.listedIdPrints = new char[n];
            before.listedIdDays = new int[n];
            int i = 0;
            for (java.util.Map.Entry<Long, Long> id : ids.entrySet()) {
                pairs[2 * i] = id.getKey();
                pairs[2 * i + 1] = id.getValue();
                before.listedIdPrints[i] = SeenEventIds.print(id.getKey());
                before.listedIdDays[i++] = (int) Math.floorDiv(id.getValue(), DAY);
            }
            before.seenIdHashes = new long[0];
            before.seenIdTimes = new long[0];
            before.listedIds = n;
            h.putAccountState("acc", before, List.of(pairs));
            assertThat(h.seenEventIds("acc")).isEqualTo(ids);

            for (AccountEvent e : week) h.send(Ev.copy(e, e.eventTime + 2 * DAY, 0));
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(week.size());
            for (int k = 0; k < SeenEventIds.RECENT_IDS + 1; k++) h.send(AccountEvent.usage("acc-new-" + k, "acc", at(5, 1 + k), "api", 1));
            List<long[]> list = h.listedBatches("acc");
            assertThat(list.get(0)).isEqualTo(pairs);
            assertThat(list).hasSize(2);
            assertThat(list.get(1).length % 2).as("packed: odd length").isOne();
            assertThat(ListedBatch.size(list.get(1))).isEqualTo(SeenEventIds.RECENT_IDS);
            for (AccountEvent e : week) h.send(Ev.copy(e, e.eventTime + 2 * DAY + 1, 0));
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(2L * week.size());
            assertThat(h.seenEventIds("acc")).hasSize(n + SeenEventIds.RECENT_IDS + 1);
        }
    }

    /** Ten events a day of distinct ids for five days, each day closed by the watermark: the events sent. */
    private static List<AccountEvent> fiveBusyDays(DetectorHarness h) throws Exception {
        List<AccountEvent> sent = new ArrayList<>();
        for (int d = 0; d < 5; d++) {
            for (int k = 0; k < 10; k++) {
                AccountEvent e = AccountEvent.usage("acc-" + d + "-" + k, "acc", at(d, 1 + 2 * k), "api", 1);
                sent.add(e);
                h.send(e);
            }
            h.watermark(day(d + 1) - 1);
        }
        return sent;
    }
}
