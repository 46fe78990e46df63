package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.detect.storage.AccountStateSerializer;
import java.time.Instant;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * De-duplication in two tiers ({@link SeenEventIds}): the newest ids exactly in the account's value, the older ones in a
 * list beside it that the value knows by fingerprint. It decides as one exact memory would, keeps the value small for a
 * busy account, and reads the list only when a fingerprint matches.
 */
class TwoTierDeduplicationTest {
    private static final long T = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000;
    private static final long DAY = SignalEngine.DAY_MS;
    private static final long WEEK = 7 * DAY;
    private static final AccountStateSerializer SERIALIZER = new AccountStateSerializer();

    @Test
    void decidesAsOneExactMemoryOfTheWindowWouldOnRandomStreams() throws Exception {
        for (int seed = 0; seed < 150; seed++) {
            Random r = new Random(seed);
            AccountState twoTiers = new AccountState();
            InMemoryListedIds list = new InMemoryListedIds();
            // The reference: every id exactly in the value, pruned at each cutoff, never moved (the layout before two tiers).
            AccountState valueOnly = new AccountState();
            InMemoryListedIds unused = new InMemoryListedIds();
            long window = (1 + r.nextInt(3)) * DAY;
            int pool = 5 + r.nextInt(300);
            long newest = T;
            long watermark = Long.MIN_VALUE;
            int duplicates = 0;
            for (int i = 0; i < 1500; i++) {
                newest += r.nextInt((int) (DAY / 6));
                long t = newest - r.nextInt((int) (2 * HOUR));
                if (r.nextInt(40) == 0) t -= window; // now and then about a window behind
                if (watermark != Long.MIN_VALUE && t < watermark - window) continue; // too late to de-duplicate: dead-lettered upstream
                String id = "e-" + r.nextInt(pool);
                boolean expected = SeenEventIds.isDuplicateElseRemember(valueOnly, unused, id, t, window);
                boolean actual = SeenEventIds.isDuplicateElseRemember(twoTiers, list, id, t, window);
                assertThat(actual).as("seed %d, event %d (%s at %s)", seed, i, id, Instant.ofEpochMilli(t)).isEqualTo(expected);
                if (expected) duplicates++;
                watermark = Math.max(watermark, newest - HOUR);
                SeenEventIds.forgetBefore(valueOnly, watermark - window);
                SeenEventIds.forgetBefore(twoTiers, list, watermark - window);
                if (r.nextInt(60) == 0) twoTiers = roundTrip(twoTiers); // as RocksDB and checkpoints store it
                assertThat(list.entries()).isEqualTo(twoTiers.listedIds);
                assertThat(twoTiers.listedIds).isLessThanOrEqualTo(listBound(twoTiers));
            }
            assertThat(unused.reads + unused.adds + unused.rewrites).isZero();
            assertThat(SeenEventIds.remembered(twoTiers, list)).isEqualTo(SeenEventIds.remembered(valueOnly, unused));
            assertThat(duplicates).as("seed %d exercised duplicates", seed).isPositive();
        }
    }

    @Test
    void aBusyAccountKeepsASmallValueWritesTheListOnceEveryFewIdsAndReadsItOnlyOnAFingerprintMatch() throws Exception {
        AccountState s = new AccountState();
        s.firstEventAt = T;
        s.firstEventDay = T / DAY;
        AccountState valueOnly = new AccountState();
        valueOnly.firstEventAt = T;
        valueOnly.firstEventDay = T / DAY;
        InMemoryListedIds list = new InMemoryListedIds();
        int events = 0;
        for (int d = 0; d < 30; d++) {
            for (int k = 0; k < 10; k++) {
                long t = T + d * DAY + k * 2 * HOUR;
                String id = "acct-1-" + d + "-" + k;
                assertThat(SeenEventIds.isDuplicateElseRemember(s, list, id, t, WEEK)).isFalse();
                SeenEventIds.isDuplicateElseRemember(valueOnly, list, id, t, WEEK);
                SeenEventIds.forgetBefore(s, list, t - HOUR - WEEK);
                SeenEventIds.forgetBefore(valueOnly, t - HOUR - WEEK);
                events++;
            }
        }
        int twoTiersBytes = bytes(s);
        int valueOnlyBytes = bytes(valueOnly);
        long listBytes = 0;
        for (long[] b : list.batches()) listBytes += 8L * b.length;
        list.reads--;
        System.out.printf("a week of ids at 10 a day: %d bytes in the value with two tiers, %d with every id in it;"
                + " the list written %d times, rewritten %d times and read %d times for %d events; it holds %d ids in %d bytes%n",
                twoTiersBytes, valueOnlyBytes, list.adds, list.rewrites, list.reads, events, list.entries(), listBytes);
        assertThat(listBytes).as("packed: about 13 bytes an id, not 16").isLessThanOrEqualTo(14L * list.entries());
        assertThat(twoTiersBytes).isLessThan(valueOnlyBytes / 3);
        assertThat(list.adds).isBetween(events / SeenEventIds.RECENT_IDS - 1, events / SeenEventIds.RECENT_IDS + 1);
        assertThat(list.reads - list.rewrites).as("new ids read the list only on a fingerprint collision, besides its rewrites").isLessThanOrEqualTo(3);
        assertThat(list.rewrites).as("the list is rewritten when mostly forgotten, not every day").isLessThan(10);
        assertThat(s.listedIds).isLessThanOrEqualTo(listBound(s));
        assertThat(list.entries()).isEqualTo(s.listedIds);

        // The ids of the last week are duplicates wherever they are kept; the older ones are forgotten.
        long now = T + 29 * DAY + 20 * HOUR;
        int readsBefore = list.reads;
        assertThat(SeenEventIds.isDuplicateElseRemember(s, list, "acct-1-25-3", now, WEEK)).isTrue();
        assertThat(list.reads).as("an older id is found in the list").isEqualTo(readsBefore + 1);
        assertThat(SeenEventIds.isDuplicateElseRemember(s, list, "acct-1-29-9", now, WEEK)).isTrue();
        assertThat(SeenEventIds.isDuplicateElseRemember(s, list, "acct-1-20-0", now, WEEK)).isFalse();
    }

    @Test
    void aQuietAccountNeverTouchesTheList() throws Exception {
        AccountState s = new AccountState();
        InMemoryListedIds list = new InMemoryListedIds();
        for (int d = 0; d < 60; d++) {
            long t = T + d * DAY * 3 / 2; // an event every day and a half: five or six ids in a week's window
            SeenEventIds.isDuplicateElseRemember(s, list, "q-" + d, t, WEEK);
            SeenEventIds.forgetBefore(s, list, t - WEEK);
        }
        assertThat(list.reads + list.adds + list.rewrites).isZero();
        assertThat(s.listedIdPrints).isEmpty();
        assertThat(s.idsForgottenBefore).isEqualTo(AccountState.NONE);
    }

    @Test
    void anIdSeenAgainAfterTheWindowCountsOnceMoreAndIsRememberedAtItsNewTime() throws Exception {
        AccountState s = new AccountState();
        InMemoryListedIds list = new InMemoryListedIds();
        long window = 2 * DAY;
        for (int i = 0; i < 20; i++) SeenEventIds.isDuplicateElseRemember(s, list, "e-" + i, T + i * HOUR, window);
        SeenEventIds.forgetBefore(s, list, T - window);
        assertThat(s.listedIds).isEqualTo(20);
        long later = T + window + DAY; // e-0 is more than the window behind, not yet pruned
        assertThat(SeenEventIds.isDuplicateElseRemember(s, list, "e-0", later, window)).isFalse();
        assertThat(s.listedIds).as("its old entry left the list").isEqualTo(19);
        assertThat(SeenEventIds.isDuplicateElseRemember(s, list, "e-0", later + HOUR, window)).isTrue();
        assertThat(SeenEventIds.remembered(s, list)).containsEntry(SeenEventIds.hash("e-0"), later);
        SeenEventIds.forgetBefore(s, list, later + 10 * DAY);
        assertThat(SeenEventIds.remembered(s, list)).isEmpty();
        assertThat(list.entries()).isZero();
        assertThat(s.listedIds).isZero();
    }

    /** The entries the list may hold: its live ids (one fingerprint each), and forgotten ones up to as many and 16. */
    private static int listBound(AccountState s) {
        return 2 * s.listedIdPrints.length + 16;
    }

    private static int bytes(AccountState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(128);
        SERIALIZER.serialize(s, out);
        return out.length();
    }

    private static AccountState roundTrip(AccountState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(128);
        SERIALIZER.serialize(s, out);
        return SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
