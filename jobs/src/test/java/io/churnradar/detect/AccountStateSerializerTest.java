package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import io.churnradar.config.Rules;
import io.churnradar.detect.storage.AccountStateSerializer;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.play.OutcomeState;
import io.churnradar.play.PlayState;
import io.churnradar.play.PlaysState;
import io.churnradar.signals.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The compact account layout: every field of every nested state round-trips exactly (edge cases and
 * random states), the snapshot resolves compatibility as Flink 2.x asks it, and a typical account
 * takes at most 128 bytes without its de-duplication ids.
 */
class AccountStateSerializerTest {
    private static final TypeSerializer<AccountState> SERIALIZER = new AccountStateSerializer();
    private static final long T = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

    /** Doubles compared bit for bit: NaN payloads and -0.0 must survive too. */
    private static final java.util.Comparator<Double> EXACT =
            java.util.Comparator.comparingLong(d -> Double.doubleToRawLongBits(d));

    static byte[] bytes(AccountState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(128);
        SERIALIZER.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    static AccountState roundTrip(AccountState s) throws Exception {
        byte[] b = bytes(s);
        DataInputDeserializer in = new DataInputDeserializer(b);
        AccountState back = SERIALIZER.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        assertThat(back).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(s);
        assertThat(SERIALIZER.copy(s)).usingRecursiveComparison().withComparatorForType(EXACT, Double.class).isEqualTo(s);
        // copy(in, out) moves the same bytes.
        DataOutputSerializer copied = new DataOutputSerializer(128);
        SERIALIZER.copy(new DataInputDeserializer(b), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(b);
        return back;
    }

    @Test
    void isTheTypeOfAccountState() {
        assertThat(TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl())).isEqualTo(SERIALIZER);
    }

    @Test
    void aNewAccountIsTwoBytes() throws Exception {
        assertThat(bytes(new AccountState())).hasSize(2);
        roundTrip(new AccountState());
    }

    @Test
    void edgeCasesRoundTrip() throws Exception {
        AccountState s = new AccountState();
        s.firstEventDay = 20_000; // a version-1 state: the day without the time
        s.lastClosedDay = Long.MAX_VALUE;
        s.bucketDays = null;
        s.bucketUsage = new double[] {Double.NaN, -0.0, Double.POSITIVE_INFINITY, 0.1, 1e300, -3, 0x1p53, 0x1p53 + 2};
        s.bucketTicketsOpened = new int[] {Integer.MIN_VALUE};
        s.lastLoginAt = Long.MAX_VALUE;
        s.lastPaymentSuccessAt = Long.MIN_VALUE + 1;
        s.pendingTimer = 0;
        s.featureNames = new String[] {null, "", "\uD83D\uDE80 rocket", "\uD800 unpaired", "\uDC00"};
        s.featureLastUsedAt = new long[] {NONE};
        s.trendDay = Long.MIN_VALUE + 7;
        s.trendCurUsage = -0.0;
        s.trendPrevUsage = Double.longBitsToDouble(0x7ff8_0000_0000_0123L); // a NaN with a payload
        s.lastHealthScore = 0;
        s.lastHealthTier = HealthTier.RED;
        s.seenIdHashes = new long[] {-1, 0, Long.MIN_VALUE};
        s.seenIdTimes = null;
        s.failureStreak = -2;
        s.episodes = new Episode[] {null, new Episode(NONE, null), new Episode(0, Severity.CRITICAL)}; // shorter than today's
        s.episodes[1].repeat = Integer.MIN_VALUE;
        s.endedAtStartAt = Long.MIN_VALUE + 3;
        s.endedAtStart = new int[] {0, Integer.MAX_VALUE, -1};
        s.subscription = new SubscriptionState();
        s.feedback = new FeedbackState();
        s.card = new CardState();
        s.urgentTickets = new UrgentTicketsState();
        s.urgentTickets.ids = null;
        s.urgentTickets.aged = new boolean[] {true, false, true, true, false, false, false, false, true};
        s.plays = new PlaysState();
        s.plays.plays = new PlayState[] {null, new PlayState()};
        s.plays.outcomes = null;
        s.plays.sentKey = new int[] {-1, 0, Integer.MAX_VALUE};
        s.lastCoreFeatureUseAt = 1;
        s.oldestEventIdAt = Long.MAX_VALUE - 1;
        roundTrip(s);

        AccountState nulls = new AccountState();
        nulls.bucketDays = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        nulls.bucketUsage = new double[] {1, 2};
        nulls.bucketTicketsOpened = new int[] {0, 3};
        nulls.featureNames = null;
        nulls.featureLastUsedAt = null;
        nulls.episodes = null;
        nulls.seenIdHashes = new long[] {1, 2};
        nulls.seenIdTimes = new long[] {3};
        nulls.endedAtStart = null;
        roundTrip(nulls);

        AccountState longer = new AccountState();
        longer.episodes = new Episode[Signal.values().length + 9]; // a state of a later version with more signals
        longer.episodes[Signal.values().length + 8] = new Episode(T, Severity.LOW);
        roundTrip(longer);
    }

    @Test
    void randomStatesRoundTrip() throws Exception {
        Random rnd = new Random(8);
        for (int i = 0; i < 1_000; i++) roundTrip(RandomStates.state(rnd));
    }

    @Test
    void theSnapshotRestoresEnumsByName() throws Exception {
        TypeSerializerSnapshot<AccountState> current = SERIALIZER.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(reread(current)).isCompatibleAsIs()).isTrue();

        // A release whose Severity listed its constants in another order: the codes it wrote mean its names.
        TypeSerializerSnapshot<AccountState> reordered = reread(snapshotWithSeverities(reversed(Severity.values())));
        TypeSerializerSchemaCompatibility<AccountState> c = current.resolveSchemaCompatibility(reordered);
        assertThat(c.isCompatibleAfterMigration()).isTrue();
        AccountState s = new AccountState();
        s.setEpisode(Signal.PAYMENT_FAILED, new Episode(T, Severity.values()[0]));
        DataOutputSerializer out = new DataOutputSerializer(64);
        reordered.restoreSerializer().serialize(s, out); // writes current ordinals
        AccountState read = reordered.restoreSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.episode(Signal.PAYMENT_FAILED).severity).isEqualTo(Severity.values()[Severity.values().length - 1]);

        // A constant this release does not know: refused.
        String[] unknown = {"LOW", "SEVERE"};
        assertThat(current.resolveSchemaCompatibility(reread(snapshotWithSeverities(unknown))).isIncompatible()).isTrue();
    }

    private static String[] reversed(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) names[i] = values[values.length - 1 - i].name();
        return names;
    }

    /** A snapshot as written by a serializer whose Severity had these constants. */
    private static TypeSerializerSnapshot<AccountState> snapshotWithSeverities(String[] severities) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(1);
        out.writeInt(severities.length);
        for (String n : severities) out.writeUTF(n);
        out.writeInt(HealthTier.values().length);
        for (HealthTier t : HealthTier.values()) out.writeUTF(t.name());
        TypeSerializerSnapshot<AccountState> s = new io.churnradar.detect.storage.AccountStateSerializerSnapshot();
        s.readSnapshot(1, new DataInputDeserializer(out.getCopyOfBuffer()), getClass0().getClassLoader());
        return s;
    }

    private static Class<?> getClass0() {
        return AccountStateSerializerTest.class;
    }

    private static TypeSerializerSnapshot<AccountState> reread(TypeSerializerSnapshot<AccountState> snapshot) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()), getClass0().getClassLoader());
    }

    @Test
    void eventIdHashesStayTheSame() {
        // Hashes are in savepoints: a change of algorithm or library would make every re-sent event count again.
        assertThat(SeenEventIds.hash("e-17")).isEqualTo(E17_HASH);
        assertThat(SeenEventIds.hash("acct-1-0-9-123456")).isEqualTo(ACCT_HASH);
        assertThat(SeenEventIds.hash("é\uD83D\uDE80")).isEqualTo(UNICODE_HASH);
    }

    static final long E17_HASH = -8320362525678652497L;
    static final long ACCT_HASH = -2683672429133834744L;
    static final long UNICODE_HASH = 2921806701352529417L;

    /**
     * Bytes per account as the bench generates them (local/.../bench/SyntheticHistory, replayed here event for event:
     * hourly draws, 20% logins, 70% usage of six features, 5% payments, a rare ticket; 80% of the accounts
     * healthy, the others sliding in the second half), through the real detector with the default rules
     * and a day close every day, at the density of {@code ./churn-radar bench --events-count 100000 --accounts
     * 2000 --days 60}; prints the figures, also at the default bench's density. The median account's state
     * without its de-duplication ids (counted apart) was 146 bytes when written: above the 128 aimed at, as
     * its six feature names alone take 46 bytes of text and its ms-precision times about 5 bytes each. The
     * bound below keeps it from growing back.
     */
    @Test
    void aTypicalAccountTakesAbout150Bytes() throws Exception {
        Sizes brief = sizes(100_000.0 / 2_000 / 60, 60);
        Sizes dense = sizes(1_000_000.0 / 10_000 / 60, 60);
        int busy = busyAccountBytes();
        System.out.printf("account state bytes (compact layout): typical %d (%.2f events/day; min %d, max %d), typical %d (%.2f events/day);"
                        + " dedup %.1f bytes per id kept, %.0f per account; busy %d (about 630 in the POJO layout)%n",
                brief.typical, brief.perDay, brief.min, brief.max, dense.typical, dense.perDay, brief.bytesPerId, brief.dedupPerAccount, busy);
        assertThat(brief.typical).as("a typical account's detection state, without its de-duplication ids").isLessThanOrEqualTo(150);
        assertThat(brief.bytesPerId).as("a hashed id and its time").isLessThanOrEqualTo(13);
        assertThat(busy).as("the bench's busy account").isLessThanOrEqualTo(160);
    }

    record Sizes(double perDay, int typical, int min, int max, double bytesPerId, double dedupPerAccount) {}

    private static Sizes sizes(double perAccountDay, int days) throws Exception {
        String[] features = {"reports", "dashboards", "exports", "api", "alerts", "sharing"};
        int accounts = 40;
        Random rnd = new Random(42);
        int[] fate = new int[accounts];
        for (int a = 0; a < accounts; a++) fate[a] = rnd.nextInt(100) < 80 ? 0 : 1 + rnd.nextInt(4);
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults())) {
            for (int d = 0; d < days; d++) {
                for (int hour = 0; hour < 24; hour++) {
                    long t = T + d * Days.DAY + hour * Days.HOUR;
                    for (int a = 0; a < accounts; a++) {
                        double expected = perAccountDay / 24;
                        int n = (int) expected + (rnd.nextDouble() < expected - (int) expected ? 1 : 0);
                        for (int k = 0; k < n; k++) {
                            boolean late = d >= days / 2;
                            String acct = "acct-" + a;
                            int kind = rnd.nextInt(20);
                            long ts = t + rnd.nextInt(3_600_000);
                            String id = acct + "-" + d + "-" + hour + "-" + rnd.nextInt(1_000_000);
                            AccountEvent e;
                            if (kind < 4) {
                                if (fate[a] == 2 && late) continue;
                                e = AccountEvent.login(id, acct, ts);
                            } else if (kind < 18) {
                                double q = 1 + rnd.nextInt(5);
                                if (fate[a] == 1 && late) q = rnd.nextInt(4) == 0 ? q : 0;
                                if (q == 0) continue;
                                e = AccountEvent.usage(id, acct, ts, features[rnd.nextInt(features.length)], q);
                            } else if (kind < 19) {
                                e = AccountEvent.payment(id, acct, ts, fate[a] == 3 && late ? PaymentStatus.FAILED : PaymentStatus.SUCCEEDED);
                            } else {
                                if (fate[a] != 4 && rnd.nextInt(4) != 0) continue;
                                e = AccountEvent.ticket(id, acct, ts, "t-" + id, TicketStatus.OPENED);
                            }
                            h.send(e);
                        }
                    }
                }
                h.watermark(T + (d + 1) * Days.DAY - 1);
            }
            List<Integer> detection = new ArrayList<>();
            long idBytes = 0;
            long ids = 0;
            for (int a = 0; a < accounts; a++) {
                AccountState s = h.accountState("acct-" + a);
                int all = bytes(s).length;
                // Both tiers' bytes in the value: the ids kept exactly, and the fingerprints of those in the list beside it.
                int n = SeenEventIds.size(s) + s.listedIdPrints.length;
                s.seenIdHashes = new long[0];
                s.seenIdTimes = new long[0];
                s.listedIdPrints = new char[0];
                s.listedIdDays = new int[0];
                s.listedIds = 0;
                s.idsForgottenBefore = AccountState.NONE;
                int without = bytes(s).length;
                detection.add(without);
                idBytes += all - without;
                ids += n;
            }
            detection.sort(null);
            return new Sizes(perAccountDay, detection.get(accounts / 2), detection.get(0), detection.get(accounts - 1),
                    ids == 0 ? 0 : idBytes / (double) ids, idBytes / (double) accounts);
        }
    }

    /** The busy account of ./churn-radar bench (Benchmark.busyAccountStateBytes): 30 days of logins, usage and tickets. */
    static int busyAccountBytes() throws Exception {
        SignalEngine engine = new SignalEngine(Rules.defaults());
        AccountState s = new AccountState();
        for (int d = 0; d < 30; d++) {
            long day = T + d * SignalEngine.DAY_MS;
            engine.onEvent("acct-1", s, AccountEvent.login("l" + d, "acct-1", day + 3_600_000), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.usage("u" + d, "acct-1", day + 7_200_000, "reports", d < 20 ? 10 : 1), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.ticket("t" + d, "acct-1", day + 9_000_000, "t" + d, TicketStatus.OPENED), day, a -> {});
        }
        return bytes(s).length;
    }

    /** Random account states with every field set or left at its default, nulls and extreme values included. */
    static final class RandomStates {
        private RandomStates() {}

        static AccountState state(Random r) {
            AccountState s = new AccountState();
            long day = 19_000 + r.nextInt(3_000);
            if (r.nextInt(4) > 0) s.firstEventAt = time(r, day * Days.DAY);
            if (r.nextInt(4) > 0) s.firstEventDay = r.nextBoolean() && s.firstEventAt != NONE ? Math.floorDiv(s.firstEventAt, Days.DAY) : lng(r, day);
            if (r.nextInt(4) > 0) s.lastClosedDay = lng(r, day + r.nextInt(90));
            if (r.nextInt(3) > 0) {
                int n = r.nextInt(20);
                s.bucketDays = new long[n];
                s.bucketUsage = new double[n];
                s.bucketTicketsOpened = new int[n];
                long d = day;
                for (int i = 0; i < n; i++) {
                    s.bucketDays[i] = d += 1 + r.nextInt(3);
                    s.bucketUsage[i] = dbl(r);
                    s.bucketTicketsOpened[i] = r.nextInt(3) == 0 ? r.nextInt(5) : 0;
                }
                if (r.nextInt(20) == 0) s.bucketUsage = r.nextBoolean() ? null : new double[n + 1];
            }
            s.lastLoginAt = maybeTime(r, day);
            s.failureStreak = r.nextInt(3) == 0 ? r.nextInt(5) : 0;
            s.lastPaymentSuccessAt = maybeTime(r, day);
            s.lastPaymentFailureAt = maybeTime(r, day);
            s.oldestEventIdAt = r.nextInt(5) == 0 ? time(r, day * Days.DAY) : NONE;
            s.pendingTimer = r.nextBoolean() ? (day + r.nextInt(30)) * Days.DAY : maybeTime(r, day);
            for (Signal sig : Signal.values()) {
                if (r.nextInt(5) == 0) s.setEpisode(sig, new Episode(time(r, day * Days.DAY), r.nextInt(10) == 0 ? null : pick(r, Severity.values())));
                if (s.episode(sig) != null && r.nextInt(10) == 0) s.episode(sig).repeat = 1 + r.nextInt(3);
            }
            if (r.nextInt(10) == 0) s.endedAtStart(pick(r, Signal.values()), time(r, day * Days.DAY), 1 + r.nextInt(3));
            if (r.nextInt(30) == 0) s.episodes = r.nextBoolean() ? null : Arrays.copyOf(s.episodes, r.nextInt(40));
            if (r.nextInt(4) > 0) {
                int n = r.nextInt(12);
                s.featureNames = new String[n];
                s.featureLastUsedAt = new long[n];
                for (int i = 0; i < n; i++) {
                    s.featureNames[i] = str(r);
                    s.featureLastUsedAt[i] = time(r, day * Days.DAY);
                }
                if (r.nextInt(20) == 0) s.featureLastUsedAt = null;
            }
            s.lastCoreFeatureUseAt = maybeTime(r, day);
            if (r.nextBoolean()) {
                SubscriptionState sub = new SubscriptionState();
                sub.startedAt = maybeTime(r, day);
                sub.activatedAt = maybeTime(r, day);
                sub.onboardingDeadlinePassed = r.nextBoolean();
                sub.mrrMinor = r.nextBoolean() ? lng(r, 50_000) : NONE;
                sub.mrrSeenAt = maybeTime(r, day);
                sub.plan = r.nextBoolean() ? str(r) : null;
                sub.seats = r.nextBoolean() ? r.nextInt() : null;
                sub.downgradeFromMrrMinor = r.nextBoolean() ? lng(r, 9_000) : NONE;
                sub.lifecycleAt = maybeTime(r, day);
                sub.churnedAt = maybeTime(r, day);
                sub.renewalDay = r.nextBoolean() ? lng(r, day + 200) : NONE;
                sub.renewalSeenAt = maybeTime(r, day);
                s.subscription = sub;
            }
            if (r.nextBoolean()) {
                FeedbackState f = new FeedbackState();
                f.lastNpsScore = r.nextInt(13) - 1;
                f.lastNpsAt = maybeTime(r, day);
                f.lastCsatScore = r.nextInt(7) - 1;
                f.lastCsatAt = maybeTime(r, day);
                s.feedback = f;
            }
            if (r.nextBoolean()) {
                CardState c = new CardState();
                c.expiryMonth = r.nextBoolean() ? lng(r, 24_320) : NONE;
                c.seenAt = maybeTime(r, day);
                c.expiringNoted = r.nextBoolean();
                s.card = c;
            }
            if (r.nextBoolean()) {
                UrgentTicketsState u = new UrgentTicketsState();
                int n = r.nextInt(6);
                u.ids = new String[n];
                u.openedAt = new long[n];
                u.aged = new boolean[n];
                for (int i = 0; i < n; i++) {
                    u.ids[i] = str(r);
                    u.openedAt[i] = time(r, day * Days.DAY);
                    u.aged[i] = r.nextBoolean();
                }
                if (r.nextInt(10) == 0) u.openedAt = null;
                s.urgentTickets = u;
            }
            s.trendDay = r.nextBoolean() ? lng(r, day) : NONE;
            s.trendCurUsage = r.nextBoolean() ? dbl(r) : 0;
            s.trendPrevUsage = r.nextBoolean() ? dbl(r) : 0;
            s.lastHealthScore = r.nextBoolean() ? r.nextInt(102) - 1 : -1;
            s.lastHealthTier = r.nextBoolean() ? pick(r, HealthTier.values()) : null;
            s.lastHealthAt = maybeTime(r, day);
            if (r.nextBoolean()) s.plays = plays(r, day);
            if (r.nextInt(3) > 0) {
                int n = r.nextInt(30);
                s.seenIdHashes = new long[n];
                s.seenIdTimes = new long[n];
                for (int i = 0; i < n; i++) {
                    s.seenIdHashes[i] = r.nextLong();
                    s.seenIdTimes[i] = time(r, day * Days.DAY);
                }
                if (r.nextInt(20) == 0) s.seenIdTimes = null;
            }
            if (r.nextInt(3) > 0) {
                int n = r.nextInt(80);
                s.listedIdPrints = new char[n];
                s.listedIdDays = new int[n];
                int d = (int) day - r.nextInt(10);
                for (int i = 0; i < n; i++) {
                    s.listedIdPrints[i] = (char) r.nextInt(1 << 16);
                    if (r.nextInt(8) == 0) d += r.nextInt(5) - 1;
                    s.listedIdDays[i] = r.nextInt(30) == 0 ? r.nextInt() : d;
                }
                if (r.nextInt(20) == 0) s.listedIdPrints = null;
                if (r.nextInt(20) == 0) s.listedIdDays = null;
                s.listedIds = r.nextInt(10) == 0 ? r.nextInt() : r.nextInt(200);
                s.idsForgottenBefore = maybeTime(r, day);
            }
            return s;
        }

        static PlaysState plays(Random r, long day) {
            PlaysState p = new PlaysState();
            int n = r.nextInt(4);
            p.plays = new PlayState[n];
            for (int i = 0; i < n; i++) {
                if (r.nextInt(8) == 0) continue;
                PlayState play = new PlayState();
                play.playbook = r.nextBoolean() ? str(r) : null;
                play.alertId = r.nextBoolean() ? str(r) : null;
                play.signal = r.nextBoolean() ? pick(r, Signal.values()).name() : null;
                play.severity = r.nextBoolean() ? pick(r, Severity.values()).name() : null;
                play.triggeredAt = r.nextBoolean() ? time(r, day * Days.DAY) : 0;
                play.anchorAt = maybeTime(r, day);
                play.nextStep = r.nextInt(5);
                play.nextDueAt = maybeTime(r, day);
                play.entered = r.nextBoolean();
                play.resolvedAt = maybeTime(r, day);
                p.plays[i] = play;
            }
            int m = r.nextInt(4);
            p.outcomes = new OutcomeState[m];
            for (int i = 0; i < m; i++) {
                if (r.nextInt(8) == 0) continue;
                OutcomeState o = new OutcomeState();
                o.playbook = r.nextBoolean() ? str(r) : null;
                o.heldOut = r.nextBoolean();
                o.winBack = r.nextBoolean();
                o.enteredAt = r.nextBoolean() ? time(r, day * Days.DAY) : 0;
                o.mrrMinor = r.nextBoolean() ? lng(r, 1000) : -1;
                p.outcomes[i] = o;
            }
            int k = r.nextInt(5);
            p.sentAt = new long[k];
            p.sentKey = new int[k];
            for (int i = 0; i < k; i++) {
                p.sentAt[i] = time(r, day * Days.DAY);
                p.sentKey[i] = r.nextInt(20);
            }
            if (r.nextInt(10) == 0) p.plays = null;
            if (r.nextInt(10) == 0) p.sentKey = null;
            p.doNotContact = r.nextBoolean();
            p.doNotContactAt = maybeTime(r, day);
            return p;
        }

        /** A time near the day, at ms, second, minute or day precision; now and then an extreme. */
        static long time(Random r, long near) {
            return switch (r.nextInt(12)) {
                case 0 -> Long.MIN_VALUE + r.nextInt(3);
                case 1 -> Long.MAX_VALUE - r.nextInt(3);
                case 2 -> r.nextLong();
                case 3 -> near + r.nextInt(90) * Days.DAY;
                case 4 -> near + (r.nextInt(200_000) - 100_000) * 60_000L;
                case 5 -> near + (r.nextInt(2_000_000) - 1_000_000) * 1_000L;
                default -> near + r.nextInt(Integer.MAX_VALUE) - (long) r.nextInt(Integer.MAX_VALUE);
            };
        }

        static long maybeTime(Random r, long day) {
            return r.nextBoolean() ? time(r, day * Days.DAY) : NONE;
        }

        static long lng(Random r, long near) {
            return switch (r.nextInt(8)) {
                case 0 -> Long.MIN_VALUE + 1;
                case 1 -> Long.MAX_VALUE;
                case 2 -> r.nextLong();
                default -> near + r.nextInt(100) - 50;
            };
        }

        static double dbl(Random r) {
            return switch (r.nextInt(10)) {
                case 0 -> Double.NaN;
                case 1 -> -0.0;
                case 2 -> r.nextDouble() * 1e6;
                case 3 -> Double.longBitsToDouble(r.nextLong());
                case 4 -> -r.nextInt(1000);
                case 5 -> Double.MAX_VALUE;
                default -> r.nextInt(200);
            };
        }

        static String str(Random r) {
            return switch (r.nextInt(8)) {
                case 0 -> null;
                case 1 -> "";
                case 2 -> {
                    char[] c = new char[r.nextInt(8)];
                    for (int i = 0; i < c.length; i++) c[i] = (char) r.nextInt(0x10000); // unpaired surrogates too
                    yield new String(c);
                }
                default -> "feature-" + r.nextInt(1000) + (r.nextBoolean() ? "é\uD83D\uDE80" : "");
            };
        }

        static <E> E pick(Random r, E[] values) {
            return values[r.nextInt(values.length)];
        }
    }
}
