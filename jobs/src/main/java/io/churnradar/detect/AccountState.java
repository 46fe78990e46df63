package io.churnradar.detect;

import io.churnradar.alerts.HealthTier;
import io.churnradar.signals.Signal;

/**
 * Everything the detector remembers about one account: O(1) in the number of events (day buckets
 * for the look-back window, a few bounded arrays and scalars), the de-duplication memory, and the events
 * read ahead of event time until the watermark releases them (bounded per account). Public
 * fields, so that the signal code works on it directly and the SQL savepoint connector reads it.
 *
 * <p>Stored in the compact layout of {@link io.churnradar.detect.storage.AccountStateSerializer} (the
 * {@code @TypeInfo} below makes {@code TypeInformation.of(AccountState.class)} yield it): only the fields
 * that differ from the defaults below, as varints and deltas. Savepoints of versions 1 to 3 stored it as
 * a Flink POJO; they restore into the compact layout (docs/operations.md, "Upgrades").
 *
 * <p>Evolution: fields are only ever added (never renamed or retyped); a state written by an older
 * version restores the new fields at the defaults below. A new field needs its place in the serializer.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(io.churnradar.detect.storage.AccountStateTypeInfo.Factory.class)
public class AccountState {
    public static final long NONE = Long.MIN_VALUE;

    // ---- version 1 ----

    /** UTC epoch day of the account's first event: USAGE_DROP needs a full baseline after it. */
    public long firstEventDay = NONE;
    /** The last UTC day whose close has been evaluated. */
    public long lastClosedDay = NONE;

    /** Sparse day buckets, ascending by day; see {@link DayBuckets}. */
    public long[] bucketDays = new long[0];
    public double[] bucketUsage = new double[0];
    public int[] bucketTicketsOpened = new int[0];

    public long lastLoginAt = NONE;

    /** FAILED payments since the latest SUCCEEDED one, in event time. */
    public int failureStreak;
    public long lastPaymentSuccessAt = NONE;
    public long lastPaymentFailureAt = NONE;

    /**
     * Versions 1 to 3 kept the event ids in a map state ({@code seen-event-ids}) and here the event time
     * of the oldest one, NONE when none was kept. Now always NONE, but in a state restored from one of
     * their savepoints whose ids are still in that map: the detector folds them into
     * {@link #seenIdHashes} at the account's next event or timer, and sets this back to NONE.
     */
    public long oldestEventIdAt = NONE;

    /** The one event-time timer registered for this account, or NONE. */
    public long pendingTimer = NONE;

    /** Open episodes indexed by {@link io.churnradar.signals.Signal#ordinal()}; null where the signal is not active. */
    public Episode[] episodes = new Episode[Signal.values().length];

    // ---- version 2: the signal catalog and the health score ----

    /** Event time of the account's first event (NONE in a version-1 state: firstEventDay stands in). */
    public long firstEventAt = NONE;

    /** Features used, at most {@code Rules.MAX_TRACKED_FEATURES}, with each one's latest use; see {@link FeatureUsage}. */
    public String[] featureNames = new String[0];
    public long[] featureLastUsedAt = new long[0];
    /** Latest use of any configured core feature. */
    public long lastCoreFeatureUseAt = NONE;

    /**
     * What only some accounts ever tell, each null until its first event (a null nested POJO costs one
     * byte in the state): the subscription, survey answers, the card on file, open urgent tickets.
     */
    public SubscriptionState subscription;
    public FeedbackState feedback;
    public CardState card;
    public UrgentTicketsState urgentTickets;

    /** Usage of the two USAGE_DROP windows at the latest day close ({@code trendDay}), for the health score. */
    public long trendDay = NONE;
    public double trendCurUsage;
    public double trendPrevUsage;

    /** The latest health update published: score (-1 before the first), tier and event time. */
    public int lastHealthScore = -1;
    public HealthTier lastHealthTier;
    public long lastHealthAt = NONE;

    // ---- version 3: playbooks ----

    /** Plays in progress, outcome entries, recent sends and do-not-contact; null until the first playbook. */
    public io.churnradar.play.PlaysState plays;

    // ---- version 4: compact state ----

    /**
     * De-duplication: the 64-bit hash of each event id seen within {@code dedup.windowDays} of event
     * time, with the event time it was seen at (parallel arrays, in the order seen); see {@link SeenEventIds}.
     */
    public long[] seenIdHashes = new long[0];
    public long[] seenIdTimes = new long[0];

    // ---- version 5: event-time order ----

    /**
     * Events that arrived ahead of the watermark, held until it passes them and then applied in event-time
     * order ({@link EventBuffer}); empty once released. Empty in states of earlier versions, which applied
     * every event on arrival.
     */
    public io.churnradar.ingest.AccountEvent[] buffered = new io.churnradar.ingest.AccountEvent[0];

    // ---- version 6: de-duplication in two tiers ----

    /**
     * A 16-bit fingerprint of each id moved out of {@link #seenIdHashes} into the list beside the value
     * ({@link SeenEventIds}), in the order moved: an event whose id matches none needs no look at the list.
     */
    public char[] listedIdPrints = new char[0];
    /** The UTC epoch day of each listed id's event time, parallel to {@link #listedIdPrints}: a fingerprint goes when its day leaves the window. */
    public int[] listedIdDays = new int[0];
    /** The entries in the list beside the value, those forgotten included until it is rewritten. */
    public int listedIds;
    /**
     * The latest cutoff the de-duplication memory was pruned at: an entry of the list before it is forgotten, as an id
     * of {@link #seenIdHashes} before it was removed. NONE while the list is empty.
     */
    public long idsForgottenBefore = NONE;

    // ---- version 7: episodes that end at the instant they start ----

    /**
     * An instant at which an episode ended that had started at that same instant (events of one instant can raise,
     * resolve and raise one signal again), NONE if none since the last day close; and how many episodes of each signal
     * (by {@link io.churnradar.signals.Signal#ordinal()}) started and ended there. A new episode of that signal at that
     * instant takes the count as its {@link Episode#repeat}, so that its alertId is not the ended one's.
     */
    public long endedAtStartAt = NONE;
    public int[] endedAtStart = new int[0];

    public AccountState() {}

    /**
     * How many episodes of {@code signal} started and ended at {@code at} (the next one's {@link Episode#repeat}). An
     * account's alerts are dated in event-time order, so an {@code at} past the noted instant forgets it.
     */
    public int episodesEndedAtStart(Signal signal, long at) {
        if (endedAtStartAt != NONE && at > endedAtStartAt) forgetEndedAtStart();
        int i = signal.ordinal();
        return at == endedAtStartAt && endedAtStart != null && i < endedAtStart.length ? endedAtStart[i] : 0;
    }

    /** Notes that the {@code episodes}-th episode of {@code signal} started at {@code at} has ended there. */
    public void endedAtStart(Signal signal, long at, int episodes) {
        if (at != endedAtStartAt || endedAtStart == null) {
            endedAtStartAt = at;
            endedAtStart = new int[Signal.values().length];
        } else if (signal.ordinal() >= endedAtStart.length) {
            endedAtStart = java.util.Arrays.copyOf(endedAtStart, Signal.values().length);
        }
        endedAtStart[signal.ordinal()] = episodes;
    }

    public void forgetEndedAtStart() {
        endedAtStartAt = NONE;
        endedAtStart = new int[0];
    }

    public Episode episode(Signal signal) {
        int i = signal.ordinal();
        return i < episodes.length ? episodes[i] : null;
    }

    public void setEpisode(Signal signal, Episode episode) {
        int i = signal.ordinal();
        if (i >= episodes.length) {
            // A state written before this signal existed: grow it.
            episodes = java.util.Arrays.copyOf(episodes, Signal.values().length);
        }
        episodes[i] = episode;
    }

    public SubscriptionState subscription() {
        if (subscription == null) subscription = new SubscriptionState();
        return subscription;
    }

    public FeedbackState feedback() {
        if (feedback == null) feedback = new FeedbackState();
        return feedback;
    }

    public CardState card() {
        if (card == null) card = new CardState();
        return card;
    }

    public UrgentTicketsState urgentTickets() {
        if (urgentTickets == null) urgentTickets = new UrgentTicketsState();
        return urgentTickets;
    }

    /** The account's first event time; a version-1 state knows only its day. */
    public long firstEventTime() {
        return firstEventAt != NONE ? firstEventAt : firstEventDay == NONE ? NONE : firstEventDay * SignalEngine.DAY_MS;
    }
}
