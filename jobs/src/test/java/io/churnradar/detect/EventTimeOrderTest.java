package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.backtest.results.AlertJson;
import io.churnradar.backtest.results.CommandJson;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * The detector in its default order (eventTime.order: event-time): events ahead of the watermark wait in
 * the account's buffer and apply in event-time order when the watermark passes them. Whatever order the
 * same events arrive in within the out-of-orderness bound, and across a restore, every output is the same:
 * alerts with their health score and tier, health updates, playbook decisions.
 */
class EventTimeOrderTest {
    /** Wide on purpose: events of different days arrive interleaved, which is where arrival order changes scores. */
    private static final long BOUND = 2 * Days.DAY;
    static final String[] ACCOUNTS = {"acme", "globex", "initech", "umbrella"};

    /** A month of mixed traffic: usage sliding on two accounts, logins stopping, failed payments, tickets, a detractor, a cancellation. */
    static List<AccountEvent> history() {
        List<AccountEvent> events = new ArrayList<>();
        for (int d = 0; d < 30; d++) {
            for (int a = 0; a < ACCOUNTS.length; a++) {
                String acc = ACCOUNTS[a];
                boolean sliding = a % 2 == 1 && d >= 16;
                events.add(Ev.usage(acc, at(d, 9 + a), sliding ? 2 : 10 + a));
                events.add(Ev.usage(acc, at(d, 15), d % 3 == 0 ? "exports" : "reports", sliding ? 1 : 4));
                if (a != 2 || d < 10) events.add(Ev.login(acc, at(d, 8)));
            }
            if (d == 5 || d == 6 || d == 7) events.add(Ev.ticket("acme", at(d, 11)));
            if (d == 12 || d == 13 || d == 19) events.add(Ev.failed("globex", at(d, 12)));
            if (d == 22) events.add(Ev.succeeded("globex", at(d, 12)));
            if (d == 9) events.add(Ev.nps("umbrella", at(d, 16), 3));
        }
        events.add(AccountEvent.subscription("umbrella-cancel", "umbrella", at(25, 10), SubscriptionAction.CANCEL_REQUESTED));
        return events;
    }

    /** Every output of one run, each as its JSON line, sorted (accounts' timers at one instant may fire in any order). */
    record Outputs(List<String> alerts, List<String> health, List<String> commands) {
        static Outputs of(DetectorHarness h) {
            return new Outputs(sorted(h.alerts().stream().map(AlertJson::toJson).toList()),
                    sorted(h.health().stream().map(x -> HealthJson.toJson(x, false)).toList()),
                    sorted(h.commands().stream().map(CommandJson::toJson).toList()));
        }

        Outputs plus(Outputs o) {
            return new Outputs(sorted(concat(alerts, o.alerts)), sorted(concat(health, o.health)), sorted(concat(commands, o.commands)));
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }

        private static List<String> sorted(List<String> l) {
            return l.stream().sorted().toList();
        }
    }

    /**
     * The events in an order a bounded-out-of-orderness source can deliver without any being late: each
     * arrives at its event time plus a random delay of up to half the bound (a seed of 0: event-time order).
     */
    private static List<AccountEvent> arrivalOrder(List<AccountEvent> events, long seed) {
        Random r = new Random(seed);
        List<long[]> keyed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            long delay = seed == 0 ? 0 : (long) (r.nextDouble() * BOUND / 2);
            keyed.add(new long[] {events.get(i).eventTime + delay, i});
        }
        keyed.sort(Comparator.<long[]>comparingLong(k -> k[0]).thenComparingLong(k -> seed == 0 ? k[1] : -k[1]));
        return keyed.stream().map(k -> events.get((int) k[1])).toList();
    }

    private static Outputs run(List<AccountEvent> arrival) throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.defaults())) {
            h.sendTrailing(arrival, Long.MIN_VALUE, BOUND);
            h.watermark(day(31));
            assertThat(h.counter(ChurnDetector.LATE)).as("no event late within the bound").isZero();
            h.watermark(Long.MAX_VALUE);
            return Outputs.of(h);
        }
    }

    @Test
    void everyOutputIsTheSameWhateverTheArrivalOrderWithinTheBound() throws Exception {
        List<AccountEvent> events = history();
        Outputs inOrder = run(arrivalOrder(events, 0));
        assertThat(inOrder.alerts()).isNotEmpty();
        assertThat(inOrder.health()).isNotEmpty();
        assertThat(inOrder.commands()).isNotEmpty();
        for (long seed : new long[] {1, 2, 3}) {
            List<AccountEvent> shuffled = arrivalOrder(events, seed);
            assertThat(shuffled).isNotEqualTo(arrivalOrder(events, 0));
            Outputs out = run(shuffled);
            assertThat(out.alerts()).as("alerts, scores and tiers included, arrival order " + seed).isEqualTo(inOrder.alerts());
            assertThat(out.health()).as("health updates, arrival order " + seed).isEqualTo(inOrder.health());
            assertThat(out.commands()).as("playbook decisions, arrival order " + seed).isEqualTo(inOrder.commands());
        }
    }

    /**
     * Two copies of one event id at one instant that differ (two source events mapped to one id: a Stripe invoice's
     * payment and its charge, only the charge showing the card): whichever comes first, the one counted is the same,
     * the copy with more fields, so the card near expiry is seen in either order.
     */
    @Test
    void ofTwoDifferingCopiesOfOneIdTheSameIsCountedInEitherOrder() throws Exception {
        long t = at(3, 10);
        AccountEvent plain = AccountEvent.payment("pay-1", "copies", t, io.churnradar.events.PaymentStatus.SUCCEEDED);
        plain.amountMinor = 4900;
        plain.currency = "EUR";
        AccountEvent withCard = AccountEvent.payment("pay-1", "copies", t, io.churnradar.events.PaymentStatus.SUCCEEDED);
        withCard.amountMinor = 4900;
        withCard.currency = "EUR";
        withCard.cardExpiry = "2026-03";
        List<AccountEvent> login = List.of(AccountEvent.login("l-1", "copies", at(1, 10)));
        Outputs first = run(java.util.stream.Stream.concat(login.stream(), java.util.stream.Stream.of(plain, withCard)).toList());
        Outputs second = run(java.util.stream.Stream.concat(login.stream(), java.util.stream.Stream.of(withCard, plain)).toList());
        assertThat(first.alerts()).isEqualTo(second.alerts()).anyMatch(a -> a.contains("CARD_EXPIRING"));
        assertThat(first.health()).isEqualTo(second.health());
    }

    /**
     * A restore from a checkpoint that had read every partition to its end: no partition reads an event again, so none
     * passes a newest event time. Once the event inputs go idle, event time goes to the newest event the checkpoint held,
     * and the failed payment held for the bound raises its alert, dated at its event. Before, it waited for the next event.
     */
    @Test
    void aRestoredQuietStreamAppliesWhatItHeldOnceItsInputsGoIdle() throws Exception {
        List<AccountEvent> events = List.of(AccountEvent.login("l-1", "quiet", at(1, 10)), AccountEvent.login("l-2", "quiet", at(2, 9)),
                AccountEvent.login("l-3", "clock", at(2, 9) + 1_000), AccountEvent.payment("p-1", "quiet", at(2, 10),
                        io.churnradar.events.PaymentStatus.FAILED));
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.defaults())) {
            h.sendTrailing(events, Long.MIN_VALUE, BOUND);
            assertThat(h.alerts()).as("held for the bound").noneMatch(a -> a.getSignal().equals("PAYMENT_FAILED"));
            snapshot = h.snapshot(1);
        }
        try (DetectorHarness h = DetectorHarness.restoreInEventTimeOrder(Rules.defaults(), snapshot, EventOrdering.defaults())) {
            assertThat(h.alerts()).isEmpty();
            h.eventsIdle();
            assertThat(h.alerts()).filteredOn(a -> a.getSignal().equals("PAYMENT_FAILED")).singleElement()
                    .satisfies(a -> {
                        assertThat(a.getDetectedAt().toEpochMilli()).isEqualTo(at(2, 10));
                        assertThat(a.getEvidence()).doesNotContainKey("late");
                    });
        }
    }

    @Test
    void aRestoreWithEventsStillHeldChangesNothing() throws Exception {
        List<AccountEvent> arrival = arrivalOrder(history(), 7);
        Outputs uninterrupted = run(arrival);

        int half = arrival.size() / 2;
        OperatorSubtaskState snapshot;
        Outputs before;
        long watermark;
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(Rules.defaults(), EventOrdering.defaults())) {
            watermark = h.sendTrailing(arrival.subList(0, half), Long.MIN_VALUE, BOUND);
            int held = 0;
            for (String acc : ACCOUNTS) held += EventBuffer.size(h.accountState(acc));
            assertThat(held).as("events held at the snapshot").isPositive();
            snapshot = h.snapshot(1);
            before = Outputs.of(h);
        }
        try (DetectorHarness h = DetectorHarness.restoreInEventTimeOrder(Rules.defaults(), snapshot, EventOrdering.defaults())) {
            h.sendTrailing(arrival.subList(half, arrival.size()), watermark, BOUND);
            h.watermark(day(31));
            h.watermark(Long.MAX_VALUE);
            assertThat(before.plus(Outputs.of(h))).usingRecursiveComparison().isEqualTo(uninterrupted);
        }
    }

    /**
     * Held events have no timer of their own: the operator releases the accounts holding them as the watermark passes
     * their earliest ({@link HeldAccounts}), and checkpoints which they are. Restored into two subtasks, each releases
     * the accounts of its own key groups, and every output is the one of a detector that never stopped.
     */
    @Test
    void heldAccountsNeedNoTimerAndARescaledRestoreReleasesEachOnce() throws Exception {
        int maxParallelism = 128;
        List<AccountEvent> arrival = arrivalOrder(history(), 5);
        Outputs uninterrupted = run(arrival);

        int part = arrival.size() * 2 / 3;
        OperatorSubtaskState snapshot;
        Outputs before;
        long watermark;
        int holding;
        try (DetectorHarness h = DetectorHarness.subtask(Rules.defaults(), EventOrdering.defaults(), null, maxParallelism, 1, 0)) {
            watermark = h.sendTrailing(arrival.subList(0, part), Long.MIN_VALUE, BOUND);
            holding = h.accountsHoldingEvents();
            int held = 0;
            for (String acc : ACCOUNTS) held += EventBuffer.size(h.accountState(acc)) > 0 ? 1 : 0;
            assertThat(holding).as("accounts holding events at the snapshot").isPositive().isEqualTo(held);
            assertThat(h.timers()).as("a timer an account at most: its next close or deadline, none for held events")
                    .isLessThanOrEqualTo(ACCOUNTS.length);
            snapshot = h.snapshot(1);
            before = Outputs.of(h);
        }
        DetectorHarness[] subtasks = new DetectorHarness[2];
        try {
            for (int i = 0; i < 2; i++) {
                subtasks[i] = DetectorHarness.subtask(Rules.defaults(), EventOrdering.defaults(),
                        DetectorHarness.repartition(snapshot, maxParallelism, 1, 2, i), maxParallelism, 2, i);
            }
            assertThat(subtasks[0].accountsHoldingEvents() + subtasks[1].accountsHoldingEvents())
                    .as("each account holding events restored on the subtask of its key group, once").isEqualTo(holding);
            long max = Long.MIN_VALUE;
            for (AccountEvent e : arrival.subList(part, arrival.size())) {
                subtasks[org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(e.accountId, maxParallelism, 2)].send(e);
                max = Math.max(max, e.eventTime);
                if (max - BOUND - 1 > watermark) {
                    watermark = max - BOUND - 1;
                    for (DetectorHarness h : subtasks) h.watermark(watermark);
                }
            }
            for (DetectorHarness h : subtasks) {
                h.watermark(day(31));
                h.watermark(Long.MAX_VALUE);
                assertThat(h.accountsHoldingEvents()).isZero();
            }
            assertThat(before.plus(Outputs.of(subtasks[0])).plus(Outputs.of(subtasks[1])))
                    .usingRecursiveComparison().isEqualTo(uninterrupted);
        } finally {
            for (DetectorHarness h : subtasks) if (h != null) h.close();
        }
    }

    @Test
    void onceReleasedTheBufferLeavesNoStateOrTimerBehind() throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(DetectorHarness.signalsOnly(), EventOrdering.defaults())) {
            h.sendTrailing(arrivalOrder(history(), 3), Long.MIN_VALUE, BOUND);
            h.watermark(day(31));
            SignalEngine engine = new SignalEngine(DetectorHarness.signalsOnly());
            int wakeups = 0;
            for (String acc : ACCOUNTS) {
                AccountState s = h.accountState(acc);
                assertThat(s.buffered).as(acc + ": nothing held").isEmpty();
                assertThat(s.pendingTimer).as(acc + ": the timer is the account's own next deadline or close")
                        .isEqualTo(engine.nextWakeup(s));
                if (s.pendingTimer != AccountState.NONE) wakeups++;
            }
            assertThat(h.timers()).isEqualTo(wakeups);
            // And the stored form holds nothing for the buffer: the same bytes as the account without the field.
            TypeSerializer<AccountState> ser = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
            AccountState s = h.accountState("acme");
            AccountState without = ser.copy(s);
            without.buffered = new AccountEvent[0];
            assertThat(bytes(ser, s)).isEqualTo(bytes(ser, without));
        }
    }

    @Test
    void aFullBufferAppliesItsEarliestEventAtOnceAndDropsNothing() throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(DetectorHarness.signalsOnly(), new EventOrdering(EventOrdering.Order.EVENT_TIME, 3))) {
            for (int d = 0; d < 5; d++) h.send(Ev.usage("acme", at(d, 9), d + 1));
            assertThat(h.counter(ChurnDetector.RELEASED_EARLY)).isEqualTo(2);
            assertThat(EventBuffer.size(h.accountState("acme"))).isEqualTo(3);
            assertThat(h.timers()).isEqualTo(1);
            h.watermark(day(6));
            AccountState s = h.accountState("acme");
            assertThat(s.buffered).isEmpty();
            assertThat(Arrays.stream(s.bucketUsage).sum()).as("every event counted").isEqualTo(1 + 2 + 3 + 4 + 5);
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(5);
        }
    }

    @Test
    void duplicatesAreDroppedOnArrivalAndLateEventsStillApplyAtOnce() throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(DetectorHarness.signalsOnly(), EventOrdering.defaults())) {
            AccountEvent failed = Ev.failed("acme", at(3, 12));
            h.send(failed, failed);
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(1);
            assertThat(EventBuffer.size(h.accountState("acme"))).isEqualTo(1);
            assertThat(h.alerts()).as("held until the watermark passes it").isEmpty();
            h.watermark(at(3, 12));
            assertThat(lines(h.newAlerts())).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(3, 12)));

            h.send(Ev.succeeded("acme", at(2, 0))); // behind the watermark: late, applied on arrival, dated at the watermark
            assertThat(h.counter(ChurnDetector.LATE)).isEqualTo(1);
            assertThat(EventBuffer.size(h.accountState("acme"))).isZero();
        }
    }

    @Test
    void atTheEndOfABoundedInputHeldEventsApplyWithOnlyTheDeadlinesTheirDataProves() throws Exception {
        try (DetectorHarness h = DetectorHarness.inEventTimeOrder(DetectorHarness.signalsOnly(), EventOrdering.defaults())) {
            // No watermark ever came (a backtest shorter than its first watermark interval): all three are held.
            h.send(Ev.login("acme", at(20, 8)), Ev.login("acme", at(0, 8)), Ev.login("acme", at(21, 8)));
            assertThat(h.alerts()).isEmpty();
            h.watermark(Long.MAX_VALUE);
            // The silence from day 0 to day 20 is proven by the day-20 login; nothing after day 21's.
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 8)),
                    line(Signal.INACTIVITY, "RESOLVED", "MEDIUM", at(20, 8)));
            assertThat(h.accountState("acme").buffered).isEmpty();
        }
    }

    @Test
    void heldEventsRoundTripInTheStoredForm() throws Exception {
        TypeSerializer<AccountState> ser = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
        AccountState s = new AccountState();
        s.lastClosedDay = 20_000;
        AccountEvent full = Ev.failed("acme", at(3, 12));
        full.userId = "u-1";
        full.cardExpiry = "2027-01";
        full.csat = 2;
        full.doNotContact = Boolean.FALSE;
        full.mrrMinor = -5L;
        full.seats = 12;
        full.comment = "\uD800 unpaired";
        AccountEvent sub = AccountEvent.subscription("s-1", "acme", at(3, 12) + 1, SubscriptionAction.CANCELED);
        sub.reason = "price";
        s.buffered = new AccountEvent[] {full, sub, null, Ev.usage("acme", Long.MIN_VALUE + 1, -0.0)};
        AccountState back = ser.copy(s);
        assertThat(back.buffered).usingRecursiveFieldByFieldElementComparator().containsExactly(s.buffered);
        s.buffered = null;
        assertThat(ser.copy(s).buffered).isNull();
    }

    private static byte[] bytes(TypeSerializer<AccountState> ser, AccountState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(s, out);
        byte[] b = out.getCopyOfBuffer();
        assertThat(ser.deserialize(new DataInputDeserializer(b))).isNotNull();
        return b;
    }
}
