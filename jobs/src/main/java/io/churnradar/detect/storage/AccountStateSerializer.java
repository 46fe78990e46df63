package io.churnradar.detect.storage;

import static io.churnradar.detect.AccountState.NONE;
import static io.churnradar.detect.storage.Compact.DAY_MS;
import static io.churnradar.detect.storage.Compact.readDouble;
import static io.churnradar.detect.storage.Compact.readLength;
import static io.churnradar.detect.storage.Compact.readSigned;
import static io.churnradar.detect.storage.Compact.readSignedInt;
import static io.churnradar.detect.storage.Compact.readString;
import static io.churnradar.detect.storage.Compact.readTime;
import static io.churnradar.detect.storage.Compact.readVarLong;
import static io.churnradar.detect.storage.Compact.writeDouble;
import static io.churnradar.detect.storage.Compact.writeLength;
import static io.churnradar.detect.storage.Compact.writeSigned;
import static io.churnradar.detect.storage.Compact.writeString;
import static io.churnradar.detect.storage.Compact.writeTime;
import static io.churnradar.detect.storage.Compact.writeVarLong;

import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.CardState;
import io.churnradar.detect.Episode;
import io.churnradar.detect.FeedbackState;
import io.churnradar.detect.SeenEventIds;
import io.churnradar.detect.SubscriptionState;
import io.churnradar.detect.UrgentTicketsState;
import io.churnradar.play.OutcomeState;
import io.churnradar.play.PlayState;
import io.churnradar.play.PlaysState;
import io.churnradar.signals.Signal;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The compact stored form of {@link AccountState}: what RocksDB keeps per account and checkpoints copy.
 * Flink's POJO serializer spends 8 bytes on every long and a null flag on every field (about 630 bytes
 * for a busy account); this writes only what differs from a new account's defaults.
 *
 * <p>Layout 1: a layout byte; a varint bitmap of the fields present (bit order {@code F_*}, the common
 * ones in the low bits); then each present field in bit order. Times are deltas from a reference time
 * near the account's present (the end of its last closed day, else its first event), or from the time
 * before them in an array, scaled by the largest of day/minute/second/ms dividing them ({@link Compact});
 * days are deltas from the first event's day; usage is a varint when integral; strings are
 * length-prefixed UTF-8; nested states have a bitmap of their own. Arrays that break the parallel-array
 * invariants (nulls, unequal lengths) fall back to a plain form: every value round-trips exactly.
 *
 * <p>Enums are written as ordinals; the snapshot records their constant names, so a later release that
 * reorders them restores by name ({@link AccountStateSerializerSnapshot}). A new field of AccountState
 * takes the next free bit; a change of meaning of existing bytes takes a new layout byte, and the reader
 * keeps reading the old ones.
 */
public final class AccountStateSerializer extends TypeSerializer<AccountState> {
    private static final long serialVersionUID = 1L;

    /**
     * The layout this version writes. 1: the compact account; 2: the same, plus the events held for
     * event-time order ({@link #F_BUFFERED}); 3: the same, plus the de-duplication's second tier
     * ({@link #F_LISTED_IDS}, {@link #F_IDS_FORGOTTEN_BEFORE}); 4: the same bytes, with the list beside the account
     * holding packed batches (io.churnradar.detect.ListedBatch), which a reader of layout 3 would take for pairs of
     * hash and time. All are read. The new fields took new bits, which a reader of layout 2 would skip without a word
     * (and lose the fingerprints); a new layout makes an older version refuse the state instead. 5: the same, plus
     * the repeat of an open episode started where another of its signal ended ({@link #F_EPISODE_REPEATS}) and the
     * count of such episodes ({@link #F_ENDED_AT_START}), which a reader of layout 4 would drop, naming the next such
     * episode as the ended one.
     */
    static final int LAYOUT = 5;
    /** The oldest layout still read. */
    static final int OLDEST_LAYOUT = 1;

    // Field bits of AccountState, in writing order.
    private static final int F_FIRST_EVENT_AT = 0;
    /** firstEventDay is the UTC day of firstEventAt: nothing more to write. */
    private static final int F_FIRST_EVENT_DAY_DERIVED = 1;
    private static final int F_LAST_CLOSED_DAY = 2;
    private static final int F_BUCKETS = 3;
    private static final int F_LAST_LOGIN_AT = 4;
    private static final int F_LAST_PAYMENT_SUCCESS_AT = 5;
    private static final int F_PENDING_TIMER = 6;
    private static final int F_FEATURES = 7;
    private static final int F_TREND_DAY = 8;
    private static final int F_TREND_CUR = 9;
    private static final int F_TREND_PREV = 10;
    private static final int F_HEALTH_SCORE = 11;
    private static final int F_HEALTH_TIER = 12;
    private static final int F_HEALTH_AT = 13;
    private static final int F_SEEN_IDS = 14;
    private static final int F_FAILURE_STREAK = 15;
    private static final int F_LAST_PAYMENT_FAILURE_AT = 16;
    private static final int F_EPISODES = 17;
    private static final int F_SUBSCRIPTION = 18;
    private static final int F_FEEDBACK = 19;
    private static final int F_CARD = 20;
    private static final int F_URGENT_TICKETS = 21;
    private static final int F_PLAYS = 22;
    private static final int F_LAST_CORE_FEATURE_USE_AT = 23;
    private static final int F_OLDEST_EVENT_ID_AT = 24;
    /** firstEventDay not derivable from firstEventAt (a version-1 state has only the day). */
    private static final int F_FIRST_EVENT_DAY = 25;
    /** The bucket arrays in the plain form (null, or of unequal lengths). */
    private static final int F_BUCKETS_PLAIN = 26;
    /** The feature arrays in the plain form. */
    private static final int F_FEATURES_PLAIN = 27;
    /** The seen-id arrays in the plain form. */
    private static final int F_SEEN_IDS_PLAIN = 28;
    /** Layout 2: the events held until the watermark passes them ({@link EventCodec}). */
    private static final int F_BUFFERED = 29;
    /** The fingerprints and days of the ids in the list beside the value, and the list's length ({@link SeenEventIds}). */
    private static final int F_LISTED_IDS = 30;
    /** The cutoff the de-duplication memory was last pruned at, while the list holds ids. */
    private static final int F_IDS_FORGOTTEN_BEFORE = 31;
    /** Layout 5: each open episode's {@link Episode#repeat}, written only when one is not 0. */
    private static final int F_EPISODE_REPEATS = 32;
    /** Layout 5: {@link AccountState#endedAtStartAt} and {@link AccountState#endedAtStart}. */
    private static final int F_ENDED_AT_START = 33;

    /** Constants by the code they were written with: the current ones, or a restored snapshot's order. */
    private final Severity[] severities;
    private final HealthTier[] tiers;

    public AccountStateSerializer() {
        this(Severity.values(), HealthTier.values());
    }

    AccountStateSerializer(Severity[] severities, HealthTier[] tiers) {
        this.severities = severities;
        this.tiers = tiers;
    }

    /**
     * The number of seen ids when their arrays have the compact form: parallel, the ids first, then only free slots
     * ({@link SeenEventIds#FREE}), which the compact form leaves out; -1 for anything else, written as it is. Worked
     * out once per write: the flags and the ids written both need it.
     */
    private static int compactSeenIds(AccountState s) {
        if (s.seenIdHashes == null || s.seenIdTimes == null || s.seenIdHashes.length != s.seenIdTimes.length) return -1;
        int n = SeenEventIds.size(s);
        for (int i = n; i < s.seenIdTimes.length; i++) {
            if (s.seenIdTimes[i] != SeenEventIds.FREE || s.seenIdHashes[i] != 0) return -1;
        }
        return n;
    }

    // ---- TypeSerializer ----

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<AccountState> duplicate() {
        return this; // stateless
    }

    @Override
    public AccountState createInstance() {
        return new AccountState();
    }

    @Override
    public AccountState copy(AccountState from) {
        // A deep copy through the layout: exact by the round-trip tests, and copies are rare (heap snapshots).
        try {
            DataOutputSerializer out = new DataOutputSerializer(128);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying an account state", e);
        }
    }

    @Override
    public AccountState copy(AccountState from, AccountState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public AccountState deserialize(AccountState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountStateSerializer other
                && Arrays.equals(severities, other.severities) && Arrays.equals(tiers, other.tiers);
    }

    @Override
    public int hashCode() {
        return AccountStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<AccountState> snapshotConfiguration() {
        return new AccountStateSerializerSnapshot(names(Severity.values()), names(HealthTier.values()));
    }

    private static String[] names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toArray(String[]::new);
    }

    // ---- writing ----

    @Override
    public void serialize(AccountState s, DataOutputView out) throws IOException {
        long bits = 0;
        if (s.firstEventAt != NONE) bits |= bit(F_FIRST_EVENT_AT);
        if (s.firstEventDay != NONE) {
            bits |= s.firstEventAt != NONE && s.firstEventDay == Math.floorDiv(s.firstEventAt, DAY_MS)
                    ? bit(F_FIRST_EVENT_DAY_DERIVED) : bit(F_FIRST_EVENT_DAY);
        }
        if (s.lastClosedDay != NONE) bits |= bit(F_LAST_CLOSED_DAY);
        boolean bucketsCompact = s.bucketDays != null && s.bucketUsage != null && s.bucketTicketsOpened != null
                && s.bucketUsage.length == s.bucketDays.length && s.bucketTicketsOpened.length == s.bucketDays.length
                && smallDayDeltas(s.bucketDays, baseDay(s.lastClosedDay, s.firstEventDay));
        if (!bucketsCompact) bits |= bit(F_BUCKETS_PLAIN);
        else if (s.bucketDays.length > 0) bits |= bit(F_BUCKETS);
        if (s.lastLoginAt != NONE) bits |= bit(F_LAST_LOGIN_AT);
        if (s.lastPaymentSuccessAt != NONE) bits |= bit(F_LAST_PAYMENT_SUCCESS_AT);
        if (s.pendingTimer != NONE) bits |= bit(F_PENDING_TIMER);
        boolean featuresCompact = s.featureNames != null && s.featureLastUsedAt != null
                && s.featureNames.length == s.featureLastUsedAt.length;
        if (!featuresCompact) bits |= bit(F_FEATURES_PLAIN);
        else if (s.featureNames.length > 0) bits |= bit(F_FEATURES);
        if (s.trendDay != NONE) bits |= bit(F_TREND_DAY);
        if (Double.doubleToRawLongBits(s.trendCurUsage) != 0) bits |= bit(F_TREND_CUR);
        if (Double.doubleToRawLongBits(s.trendPrevUsage) != 0) bits |= bit(F_TREND_PREV);
        if (s.lastHealthScore != -1) bits |= bit(F_HEALTH_SCORE);
        if (s.lastHealthTier != null) bits |= bit(F_HEALTH_TIER);
        if (s.lastHealthAt != NONE) bits |= bit(F_HEALTH_AT);
        int seenIds = compactSeenIds(s);
        if (seenIds < 0) bits |= bit(F_SEEN_IDS_PLAIN);
        else if (seenIds > 0) bits |= bit(F_SEEN_IDS);
        if (s.failureStreak != 0) bits |= bit(F_FAILURE_STREAK);
        if (s.lastPaymentFailureAt != NONE) bits |= bit(F_LAST_PAYMENT_FAILURE_AT);
        if (!defaultEpisodes(s.episodes)) bits |= bit(F_EPISODES);
        if (s.subscription != null) bits |= bit(F_SUBSCRIPTION);
        if (s.feedback != null) bits |= bit(F_FEEDBACK);
        if (s.card != null) bits |= bit(F_CARD);
        if (s.urgentTickets != null) bits |= bit(F_URGENT_TICKETS);
        if (s.plays != null) bits |= bit(F_PLAYS);
        if (s.lastCoreFeatureUseAt != NONE) bits |= bit(F_LAST_CORE_FEATURE_USE_AT);
        if (s.oldestEventIdAt != NONE) bits |= bit(F_OLDEST_EVENT_ID_AT);
        if (s.buffered == null || s.buffered.length > 0) bits |= bit(F_BUFFERED);
        if (s.listedIdPrints == null || s.listedIdPrints.length > 0 || s.listedIdDays == null || s.listedIdDays.length > 0
                || s.listedIds != 0) {
            bits |= bit(F_LISTED_IDS);
        }
        if (s.idsForgottenBefore != NONE) bits |= bit(F_IDS_FORGOTTEN_BEFORE);
        if (has(bits, F_EPISODES) && repeatsEpisode(s.episodes)) bits |= bit(F_EPISODE_REPEATS);
        if (s.endedAtStartAt != NONE || s.endedAtStart == null || s.endedAtStart.length > 0) bits |= bit(F_ENDED_AT_START);

        out.writeByte(LAYOUT);
        writeVarLong(out, bits);
        // lastClosedDay first and absolute: the reference time of everything below depends on it.
        if (has(bits, F_LAST_CLOSED_DAY)) writeSigned(out, s.lastClosedDay);
        if (has(bits, F_FIRST_EVENT_AT)) writeTime(out, s.firstEventAt, reference(s.lastClosedDay, NONE));
        long ref = reference(s.lastClosedDay, s.firstEventAt);
        if (has(bits, F_FIRST_EVENT_DAY)) writeSigned(out, s.firstEventDay);
        long baseDay = baseDay(s.lastClosedDay, s.firstEventDay);
        if (has(bits, F_BUCKETS)) writeBuckets(out, s, baseDay);
        if (has(bits, F_BUCKETS_PLAIN)) {
            Compact.writeLongDeltas(out, s.bucketDays);
            Compact.writeDoubles(out, s.bucketUsage);
            Compact.writeInts(out, s.bucketTicketsOpened);
        }
        if (has(bits, F_LAST_LOGIN_AT)) writeTime(out, s.lastLoginAt, ref);
        if (has(bits, F_LAST_PAYMENT_SUCCESS_AT)) writeTime(out, s.lastPaymentSuccessAt, ref);
        if (has(bits, F_PENDING_TIMER)) writeTime(out, s.pendingTimer, ref);
        if (has(bits, F_FEATURES)) {
            writeVarLong(out, s.featureNames.length);
            for (String f : s.featureNames) writeString(out, f);
            long prev = ref;
            for (long t : s.featureLastUsedAt) {
                writeTime(out, t, prev);
                prev = t;
            }
        }
        if (has(bits, F_FEATURES_PLAIN)) {
            Compact.writeStrings(out, s.featureNames);
            Compact.writeTimes(out, s.featureLastUsedAt, ref);
        }
        if (has(bits, F_TREND_DAY)) writeSigned(out, s.trendDay - baseDay);
        if (has(bits, F_TREND_CUR)) writeDouble(out, s.trendCurUsage);
        if (has(bits, F_TREND_PREV)) writeDouble(out, s.trendPrevUsage);
        if (has(bits, F_HEALTH_SCORE)) writeSigned(out, s.lastHealthScore);
        if (has(bits, F_HEALTH_TIER)) writeVarLong(out, s.lastHealthTier.ordinal());
        if (has(bits, F_HEALTH_AT)) writeTime(out, s.lastHealthAt, ref);
        if (has(bits, F_SEEN_IDS)) {
            // Hashes are uniformly random: 8 bytes each, nothing to gain from a varint.
            // The ids only: the free slots after them are the memory's business, not the state's.
            writeVarLong(out, seenIds);
            for (int i = 0; i < seenIds; i++) out.writeLong(s.seenIdHashes[i]);
            long prev = ref;
            for (int i = 0; i < seenIds; i++) {
                long t = s.seenIdTimes[i];
                writeTime(out, t, prev);
                prev = t;
            }
        }
        if (has(bits, F_SEEN_IDS_PLAIN)) {
            writeLength(out, s.seenIdHashes == null ? -1 : s.seenIdHashes.length);
            if (s.seenIdHashes != null) for (long h : s.seenIdHashes) out.writeLong(h);
            Compact.writeTimes(out, s.seenIdTimes, ref);
        }
        if (has(bits, F_FAILURE_STREAK)) writeSigned(out, s.failureStreak);
        if (has(bits, F_LAST_PAYMENT_FAILURE_AT)) writeTime(out, s.lastPaymentFailureAt, ref);
        if (has(bits, F_EPISODES)) writeEpisodes(out, s.episodes, ref);
        if (has(bits, F_SUBSCRIPTION)) writeSubscription(out, s.subscription, ref, baseDay);
        if (has(bits, F_FEEDBACK)) writeFeedback(out, s.feedback, ref);
        if (has(bits, F_CARD)) writeCard(out, s.card, ref);
        if (has(bits, F_URGENT_TICKETS)) {
            Compact.writeStrings(out, s.urgentTickets.ids);
            Compact.writeTimes(out, s.urgentTickets.openedAt, ref);
            Compact.writeBooleans(out, s.urgentTickets.aged);
        }
        if (has(bits, F_PLAYS)) writePlays(out, s.plays, ref);
        if (has(bits, F_LAST_CORE_FEATURE_USE_AT)) writeTime(out, s.lastCoreFeatureUseAt, ref);
        if (has(bits, F_OLDEST_EVENT_ID_AT)) writeTime(out, s.oldestEventIdAt, ref);
        if (has(bits, F_BUFFERED)) EventCodec.writeEvents(out, s.buffered, ref);
        if (has(bits, F_LISTED_IDS)) {
            writePrints(out, s.listedIdPrints);
            writeDayRuns(out, s.listedIdDays, baseDay);
            writeSigned(out, s.listedIds);
        }
        if (has(bits, F_IDS_FORGOTTEN_BEFORE)) writeTime(out, s.idsForgottenBefore, ref);
        if (has(bits, F_EPISODE_REPEATS)) {
            for (Episode e : s.episodes) if (e != null) writeSigned(out, e.repeat);
        }
        if (has(bits, F_ENDED_AT_START)) {
            writeTime(out, s.endedAtStartAt, ref);
            Compact.writeInts(out, s.endedAtStart);
        }
    }

    private static boolean repeatsEpisode(Episode[] episodes) {
        if (episodes == null) return false;
        for (Episode e : episodes) if (e != null && e.repeat != 0) return true;
        return false;
    }

    /** Fingerprints are uniformly random: 2 bytes each. */
    private static void writePrints(DataOutputView out, char[] prints) throws IOException {
        writeLength(out, prints == null ? -1 : prints.length);
        if (prints != null) for (char p : prints) out.writeChar(p);
    }

    private static char[] readPrints(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        char[] prints = new char[n];
        for (int i = 0; i < n; i++) prints[i] = in.readChar();
        return prints;
    }

    /**
     * Days as runs of one day (the ids of a batch are mostly of a day or two): each run as its day's delta from the run
     * before (the first from {@code baseDay}) and its length. About two bytes a day instead of one an id.
     */
    private static void writeDayRuns(DataOutputView out, int[] days, long baseDay) throws IOException {
        writeLength(out, days == null ? -1 : days.length);
        if (days == null) return;
        long prev = baseDay;
        for (int i = 0; i < days.length; ) {
            int j = i + 1;
            while (j < days.length && days[j] == days[i]) j++;
            writeSigned(out, days[i] - prev);
            writeVarLong(out, j - i);
            prev = days[i];
            i = j;
        }
    }

    private static int[] readDayRuns(DataInputView in, long baseDay) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        int[] days = new int[n];
        long prev = baseDay;
        for (int i = 0; i < n; ) {
            long day = prev + readSigned(in);
            long run = readVarLong(in);
            if (run < 1 || run > n - i) throw new IOException("malformed run of " + run + " days in an account state");
            Arrays.fill(days, i, i + (int) run, (int) day);
            i += (int) run;
            prev = day;
        }
        return days;
    }

    /** The day most others are near: the last closed day, else the first event's day, else 0. */
    private static long baseDay(long lastClosedDay, long firstEventDay) {
        return lastClosedDay != NONE ? lastClosedDay : firstEventDay != NONE ? firstEventDay : 0;
    }

    /** The time most others are near: the end of the last closed day, else the first event, else 0. */
    private static long reference(long lastClosedDay, long firstEventAt) {
        if (lastClosedDay != NONE) return (lastClosedDay + 1) * DAY_MS;
        return firstEventAt != NONE ? firstEventAt : 0;
    }

    /**
     * Each bucket as a varint of its day's delta from the day before (shifted left one bit, the low bit
     * set when it has opened tickets), its usage, and its ticket count when not 0: two bytes for a day of
     * usage.
     */
    private static void writeBuckets(DataOutputView out, AccountState s, long baseDay) throws IOException {
        writeVarLong(out, s.bucketDays.length);
        long prev = baseDay;
        for (int i = 0; i < s.bucketDays.length; i++) {
            boolean tickets = s.bucketTicketsOpened[i] != 0;
            writeVarLong(out, (Compact.zigzag(s.bucketDays[i] - prev) << 1) | (tickets ? 1 : 0));
            prev = s.bucketDays[i];
            writeDouble(out, s.bucketUsage[i]);
            if (tickets) writeSigned(out, s.bucketTicketsOpened[i]);
        }
    }

    /** Whether each day's delta from the one before fits the bucket head (always, but for a state made by hand). */
    private static boolean smallDayDeltas(long[] days, long baseDay) {
        long prev = baseDay;
        for (long d : days) {
            if ((Compact.zigzag(d - prev) >>> 62) != 0) return false;
            prev = d;
        }
        return true;
    }

    private static boolean defaultEpisodes(Episode[] episodes) {
        if (episodes == null || episodes.length != Signal.values().length) return false;
        for (Episode e : episodes) if (e != null) return false;
        return true;
    }

    /** Length, then a byte per 8 entries flagging the open ones, then each open episode. */
    private static void writeEpisodes(DataOutputView out, Episode[] episodes, long ref) throws IOException {
        writeLength(out, episodes == null ? -1 : episodes.length);
        if (episodes == null) return;
        for (int i = 0; i < episodes.length; i += 8) {
            int b = 0;
            for (int j = 0; j < 8 && i + j < episodes.length; j++) if (episodes[i + j] != null) b |= 1 << j;
            out.writeByte(b);
        }
        for (Episode e : episodes) {
            if (e == null) continue;
            writeTime(out, e.start, ref);
            writeEnum(out, e.severity);
        }
    }

    private static void writeEnum(DataOutputView out, Enum<?> e) throws IOException {
        writeVarLong(out, e == null ? 0 : e.ordinal() + 1);
    }

    private static void writeSubscription(DataOutputView out, SubscriptionState sub, long ref, long baseDay) throws IOException {
        long bits = 0;
        if (sub.startedAt != NONE) bits |= bit(0);
        if (sub.activatedAt != NONE) bits |= bit(1);
        if (sub.onboardingDeadlinePassed) bits |= bit(2);
        if (sub.mrrMinor != NONE) bits |= bit(3);
        if (sub.mrrSeenAt != NONE) bits |= bit(4);
        if (sub.plan != null) bits |= bit(5);
        if (sub.seats != null) bits |= bit(6);
        if (sub.downgradeFromMrrMinor != NONE) bits |= bit(7);
        if (sub.lifecycleAt != NONE) bits |= bit(8);
        if (sub.churnedAt != NONE) bits |= bit(9);
        if (sub.renewalDay != NONE) bits |= bit(10);
        if (sub.renewalSeenAt != NONE) bits |= bit(11);
        writeVarLong(out, bits);
        if (has(bits, 0)) writeTime(out, sub.startedAt, ref);
        if (has(bits, 1)) writeTime(out, sub.activatedAt, ref);
        if (has(bits, 3)) writeSigned(out, sub.mrrMinor);
        if (has(bits, 4)) writeTime(out, sub.mrrSeenAt, ref);
        if (has(bits, 5)) writeString(out, sub.plan);
        if (has(bits, 6)) writeSigned(out, sub.seats);
        if (has(bits, 7)) writeSigned(out, sub.downgradeFromMrrMinor);
        if (has(bits, 8)) writeTime(out, sub.lifecycleAt, ref);
        if (has(bits, 9)) writeTime(out, sub.churnedAt, ref);
        if (has(bits, 10)) writeSigned(out, sub.renewalDay - baseDay);
        if (has(bits, 11)) writeTime(out, sub.renewalSeenAt, ref);
    }

    private static void writeFeedback(DataOutputView out, FeedbackState f, long ref) throws IOException {
        long bits = 0;
        if (f.lastNpsScore != -1) bits |= bit(0);
        if (f.lastNpsAt != NONE) bits |= bit(1);
        if (f.lastCsatScore != -1) bits |= bit(2);
        if (f.lastCsatAt != NONE) bits |= bit(3);
        writeVarLong(out, bits);
        if (has(bits, 0)) writeSigned(out, f.lastNpsScore);
        if (has(bits, 1)) writeTime(out, f.lastNpsAt, ref);
        if (has(bits, 2)) writeSigned(out, f.lastCsatScore);
        if (has(bits, 3)) writeTime(out, f.lastCsatAt, ref);
    }

    private static void writeCard(DataOutputView out, CardState c, long ref) throws IOException {
        long bits = 0;
        if (c.expiryMonth != NONE) bits |= bit(0);
        if (c.seenAt != NONE) bits |= bit(1);
        if (c.expiringNoted) bits |= bit(2);
        writeVarLong(out, bits);
        if (has(bits, 0)) writeSigned(out, c.expiryMonth);
        if (has(bits, 1)) writeTime(out, c.seenAt, ref);
    }

    private static void writePlays(DataOutputView out, PlaysState p, long ref) throws IOException {
        long bits = 0;
        if (p.plays == null || p.plays.length > 0) bits |= bit(0);
        if (p.outcomes == null || p.outcomes.length > 0) bits |= bit(1);
        if (p.sentAt == null || p.sentAt.length > 0) bits |= bit(2);
        if (p.sentKey == null || p.sentKey.length > 0) bits |= bit(3);
        if (p.doNotContact) bits |= bit(4);
        if (p.doNotContactAt != PlaysState.NONE) bits |= bit(5);
        writeVarLong(out, bits);
        if (has(bits, 0)) {
            writeLength(out, p.plays == null ? -1 : p.plays.length);
            if (p.plays != null) for (PlayState play : p.plays) writePlay(out, play, ref);
        }
        if (has(bits, 1)) {
            writeLength(out, p.outcomes == null ? -1 : p.outcomes.length);
            if (p.outcomes != null) for (OutcomeState o : p.outcomes) writeOutcome(out, o, ref);
        }
        if (has(bits, 2)) Compact.writeTimes(out, p.sentAt, ref);
        if (has(bits, 3)) Compact.writeInts(out, p.sentKey);
        if (has(bits, 5)) writeTime(out, p.doNotContactAt, ref);
    }

    /** A play: 0 for null, else its bitmap + 1. */
    private static void writePlay(DataOutputView out, PlayState p, long ref) throws IOException {
        if (p == null) {
            writeVarLong(out, 0);
            return;
        }
        long bits = 0;
        if (p.playbook != null) bits |= bit(0);
        if (p.alertId != null) bits |= bit(1);
        if (p.signal != null) bits |= bit(2);
        if (p.severity != null) bits |= bit(3);
        if (p.triggeredAt != 0) bits |= bit(4);
        if (p.anchorAt != PlaysState.NONE) bits |= bit(5);
        if (p.nextStep != 0) bits |= bit(6);
        if (p.nextDueAt != PlaysState.NONE) bits |= bit(7);
        if (p.entered) bits |= bit(8);
        if (p.resolvedAt != PlaysState.NONE) bits |= bit(9);
        writeVarLong(out, bits + 1);
        if (has(bits, 0)) writeString(out, p.playbook);
        if (has(bits, 1)) writeString(out, p.alertId);
        if (has(bits, 2)) writeString(out, p.signal);
        if (has(bits, 3)) writeString(out, p.severity);
        if (has(bits, 4)) writeTime(out, p.triggeredAt, ref);
        if (has(bits, 5)) writeTime(out, p.anchorAt, ref);
        if (has(bits, 6)) writeSigned(out, p.nextStep);
        if (has(bits, 7)) writeTime(out, p.nextDueAt, ref);
        if (has(bits, 9)) writeTime(out, p.resolvedAt, ref);
    }

    private static void writeOutcome(DataOutputView out, OutcomeState o, long ref) throws IOException {
        if (o == null) {
            writeVarLong(out, 0);
            return;
        }
        long bits = 0;
        if (o.playbook != null) bits |= bit(0);
        if (o.heldOut) bits |= bit(1);
        if (o.winBack) bits |= bit(2);
        if (o.enteredAt != 0) bits |= bit(3);
        if (o.mrrMinor != -1) bits |= bit(4);
        writeVarLong(out, bits + 1);
        if (has(bits, 0)) writeString(out, o.playbook);
        if (has(bits, 3)) writeTime(out, o.enteredAt, ref);
        if (has(bits, 4)) writeSigned(out, o.mrrMinor);
    }

    // ---- reading ----

    @Override
    public AccountState deserialize(DataInputView in) throws IOException {
        int layout = in.readUnsignedByte();
        if (layout < OLDEST_LAYOUT || layout > LAYOUT) {
            throw new IOException("account state in layout " + layout + ", which this version does not know (it reads layouts "
                    + OLDEST_LAYOUT + " to " + LAYOUT + "): restore from a savepoint of this or an older version");
        }
        AccountState s = new AccountState();
        long bits = readVarLong(in);
        if (has(bits, F_LAST_CLOSED_DAY)) s.lastClosedDay = readSigned(in);
        if (has(bits, F_FIRST_EVENT_AT)) s.firstEventAt = readTime(in, reference(s.lastClosedDay, NONE));
        long ref = reference(s.lastClosedDay, s.firstEventAt);
        if (has(bits, F_FIRST_EVENT_DAY)) s.firstEventDay = readSigned(in);
        if (has(bits, F_FIRST_EVENT_DAY_DERIVED)) s.firstEventDay = Math.floorDiv(s.firstEventAt, DAY_MS);
        long baseDay = baseDay(s.lastClosedDay, s.firstEventDay);
        if (has(bits, F_BUCKETS)) readBuckets(in, s, baseDay);
        if (has(bits, F_BUCKETS_PLAIN)) {
            s.bucketDays = Compact.readLongDeltas(in);
            s.bucketUsage = Compact.readDoubles(in);
            s.bucketTicketsOpened = Compact.readInts(in);
        }
        if (has(bits, F_LAST_LOGIN_AT)) s.lastLoginAt = readTime(in, ref);
        if (has(bits, F_LAST_PAYMENT_SUCCESS_AT)) s.lastPaymentSuccessAt = readTime(in, ref);
        if (has(bits, F_PENDING_TIMER)) s.pendingTimer = readTime(in, ref);
        if (has(bits, F_FEATURES)) {
            int n = count(in);
            s.featureNames = new String[n];
            for (int i = 0; i < n; i++) s.featureNames[i] = readString(in);
            s.featureLastUsedAt = new long[n];
            long prev = ref;
            for (int i = 0; i < n; i++) prev = s.featureLastUsedAt[i] = readTime(in, prev);
        }
        if (has(bits, F_FEATURES_PLAIN)) {
            s.featureNames = Compact.readStrings(in);
            s.featureLastUsedAt = Compact.readTimes(in, ref);
        }
        if (has(bits, F_TREND_DAY)) s.trendDay = baseDay + readSigned(in);
        if (has(bits, F_TREND_CUR)) s.trendCurUsage = readDouble(in);
        if (has(bits, F_TREND_PREV)) s.trendPrevUsage = readDouble(in);
        if (has(bits, F_HEALTH_SCORE)) s.lastHealthScore = readSignedInt(in);
        if (has(bits, F_HEALTH_TIER)) s.lastHealthTier = tiers[(int) readVarLong(in)];
        if (has(bits, F_HEALTH_AT)) s.lastHealthAt = readTime(in, ref);
        if (has(bits, F_SEEN_IDS)) {
            int n = count(in);
            s.seenIdHashes = new long[n];
            for (int i = 0; i < n; i++) s.seenIdHashes[i] = in.readLong();
            s.seenIdTimes = new long[n];
            long prev = ref;
            for (int i = 0; i < n; i++) prev = s.seenIdTimes[i] = readTime(in, prev);
        }
        if (has(bits, F_SEEN_IDS_PLAIN)) {
            int n = readLength(in);
            s.seenIdHashes = n < 0 ? null : new long[n];
            for (int i = 0; i < n; i++) s.seenIdHashes[i] = in.readLong();
            s.seenIdTimes = Compact.readTimes(in, ref);
        }
        if (has(bits, F_FAILURE_STREAK)) s.failureStreak = readSignedInt(in);
        if (has(bits, F_LAST_PAYMENT_FAILURE_AT)) s.lastPaymentFailureAt = readTime(in, ref);
        if (has(bits, F_EPISODES)) s.episodes = readEpisodes(in, ref);
        if (has(bits, F_SUBSCRIPTION)) s.subscription = readSubscription(in, ref, baseDay);
        if (has(bits, F_FEEDBACK)) s.feedback = readFeedback(in, ref);
        if (has(bits, F_CARD)) s.card = readCard(in, ref);
        if (has(bits, F_URGENT_TICKETS)) {
            UrgentTicketsState u = new UrgentTicketsState();
            u.ids = Compact.readStrings(in);
            u.openedAt = Compact.readTimes(in, ref);
            u.aged = Compact.readBooleans(in);
            s.urgentTickets = u;
        }
        if (has(bits, F_PLAYS)) s.plays = readPlays(in, ref);
        if (has(bits, F_LAST_CORE_FEATURE_USE_AT)) s.lastCoreFeatureUseAt = readTime(in, ref);
        if (has(bits, F_OLDEST_EVENT_ID_AT)) s.oldestEventIdAt = readTime(in, ref);
        // Layout 1 never sets the bit: its accounts restore with nothing held.
        if (has(bits, F_BUFFERED)) s.buffered = EventCodec.readEvents(in, ref);
        if (has(bits, F_LISTED_IDS)) {
            s.listedIdPrints = readPrints(in);
            s.listedIdDays = readDayRuns(in, baseDay);
            s.listedIds = readSignedInt(in);
        }
        if (has(bits, F_IDS_FORGOTTEN_BEFORE)) s.idsForgottenBefore = readTime(in, ref);
        if (has(bits, F_EPISODE_REPEATS)) {
            if (s.episodes == null) throw new IOException("episode repeats without episodes in an account state");
            for (Episode e : s.episodes) if (e != null) e.repeat = readSignedInt(in);
        }
        if (has(bits, F_ENDED_AT_START)) {
            s.endedAtStartAt = readTime(in, ref);
            s.endedAtStart = Compact.readInts(in);
        }
        return s;
    }

    private static int count(DataInputView in) throws IOException {
        long n = readVarLong(in);
        if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IOException("malformed count " + n + " in an account state");
        return (int) n;
    }

    private static void readBuckets(DataInputView in, AccountState s, long baseDay) throws IOException {
        int n = count(in);
        s.bucketDays = new long[n];
        s.bucketUsage = new double[n];
        s.bucketTicketsOpened = new int[n];
        long prev = baseDay;
        for (int i = 0; i < n; i++) {
            long head = readVarLong(in);
            prev = s.bucketDays[i] = prev + Compact.unzigzag(head >>> 1);
            s.bucketUsage[i] = readDouble(in);
            if ((head & 1) != 0) s.bucketTicketsOpened[i] = readSignedInt(in);
        }
    }

    private Episode[] readEpisodes(DataInputView in, long ref) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        Episode[] episodes = new Episode[n];
        boolean[] open = new boolean[n];
        for (int i = 0; i < n; i += 8) {
            int b = in.readUnsignedByte();
            for (int j = 0; j < 8 && i + j < n; j++) open[i + j] = (b & (1 << j)) != 0;
        }
        for (int i = 0; i < n; i++) {
            if (!open[i]) continue;
            Episode e = new Episode();
            e.start = readTime(in, ref);
            int code = (int) readVarLong(in);
            e.severity = code == 0 ? null : severities[code - 1];
            episodes[i] = e;
        }
        return episodes;
    }

    private static SubscriptionState readSubscription(DataInputView in, long ref, long baseDay) throws IOException {
        SubscriptionState sub = new SubscriptionState();
        long bits = readVarLong(in);
        if (has(bits, 0)) sub.startedAt = readTime(in, ref);
        if (has(bits, 1)) sub.activatedAt = readTime(in, ref);
        sub.onboardingDeadlinePassed = has(bits, 2);
        if (has(bits, 3)) sub.mrrMinor = readSigned(in);
        if (has(bits, 4)) sub.mrrSeenAt = readTime(in, ref);
        if (has(bits, 5)) sub.plan = readString(in);
        if (has(bits, 6)) sub.seats = readSignedInt(in);
        if (has(bits, 7)) sub.downgradeFromMrrMinor = readSigned(in);
        if (has(bits, 8)) sub.lifecycleAt = readTime(in, ref);
        if (has(bits, 9)) sub.churnedAt = readTime(in, ref);
        if (has(bits, 10)) sub.renewalDay = baseDay + readSigned(in);
        if (has(bits, 11)) sub.renewalSeenAt = readTime(in, ref);
        return sub;
    }

    private static FeedbackState readFeedback(DataInputView in, long ref) throws IOException {
        FeedbackState f = new FeedbackState();
        long bits = readVarLong(in);
        if (has(bits, 0)) f.lastNpsScore = readSignedInt(in);
        if (has(bits, 1)) f.lastNpsAt = readTime(in, ref);
        if (has(bits, 2)) f.lastCsatScore = readSignedInt(in);
        if (has(bits, 3)) f.lastCsatAt = readTime(in, ref);
        return f;
    }

    private static CardState readCard(DataInputView in, long ref) throws IOException {
        CardState c = new CardState();
        long bits = readVarLong(in);
        if (has(bits, 0)) c.expiryMonth = readSigned(in);
        if (has(bits, 1)) c.seenAt = readTime(in, ref);
        c.expiringNoted = has(bits, 2);
        return c;
    }

    private static PlaysState readPlays(DataInputView in, long ref) throws IOException {
        PlaysState p = new PlaysState();
        long bits = readVarLong(in);
        if (has(bits, 0)) {
            int n = readLength(in);
            p.plays = n < 0 ? null : new PlayState[n];
            for (int i = 0; i < n; i++) p.plays[i] = readPlay(in, ref);
        }
        if (has(bits, 1)) {
            int n = readLength(in);
            p.outcomes = n < 0 ? null : new OutcomeState[n];
            for (int i = 0; i < n; i++) p.outcomes[i] = readOutcome(in, ref);
        }
        if (has(bits, 2)) p.sentAt = Compact.readTimes(in, ref);
        if (has(bits, 3)) p.sentKey = Compact.readInts(in);
        p.doNotContact = has(bits, 4);
        if (has(bits, 5)) p.doNotContactAt = readTime(in, ref);
        return p;
    }

    private static PlayState readPlay(DataInputView in, long ref) throws IOException {
        long code = readVarLong(in);
        if (code == 0) return null;
        long bits = code - 1;
        PlayState p = new PlayState();
        if (has(bits, 0)) p.playbook = readString(in);
        if (has(bits, 1)) p.alertId = readString(in);
        if (has(bits, 2)) p.signal = readString(in);
        if (has(bits, 3)) p.severity = readString(in);
        if (has(bits, 4)) p.triggeredAt = readTime(in, ref);
        if (has(bits, 5)) p.anchorAt = readTime(in, ref);
        if (has(bits, 6)) p.nextStep = readSignedInt(in);
        if (has(bits, 7)) p.nextDueAt = readTime(in, ref);
        p.entered = has(bits, 8);
        if (has(bits, 9)) p.resolvedAt = readTime(in, ref);
        return p;
    }

    private static OutcomeState readOutcome(DataInputView in, long ref) throws IOException {
        long code = readVarLong(in);
        if (code == 0) return null;
        long bits = code - 1;
        OutcomeState o = new OutcomeState();
        if (has(bits, 0)) o.playbook = readString(in);
        o.heldOut = has(bits, 1);
        o.winBack = has(bits, 2);
        if (has(bits, 3)) o.enteredAt = readTime(in, ref);
        if (has(bits, 4)) o.mrrMinor = readSigned(in);
        return o;
    }

    private static long bit(int i) {
        return 1L << i;
    }

    private static boolean has(long bits, int i) {
        return (bits & (1L << i)) != 0;
    }
}
