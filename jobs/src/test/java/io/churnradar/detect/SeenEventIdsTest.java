package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.detect.storage.AccountStateSerializer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The de-duplication memory with room to grow: ids remembered in the order seen, free slots after them that
 * neither the detection nor the stored form sees, and arrays that shrink when an account goes quiet.
 */
class SeenEventIdsTest {
    private static final long T = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;
    private static final long WINDOW = 7 * SignalEngine.DAY_MS;
    private static final AccountStateSerializer SERIALIZER = new AccountStateSerializer();
    /** The value's tier alone: these tests never move ids to the list. */
    private static final SeenEventIds.Listed NO_LIST = new InMemoryListedIds();

    @Test
    void everyIdRemembersAndRepeatsAsADuplicateWhateverRoomTheArraysHave() throws Exception {
        AccountState s = new AccountState();
        for (int i = 0; i < 1000; i++) {
            assertThat(SeenEventIds.isDuplicateElseRemember(s, NO_LIST, "e-" + i, T + i * MINUTE, WINDOW)).isFalse();
            assertThat(SeenEventIds.size(s)).isEqualTo(i + 1);
        }
        assertThat(s.seenIdHashes.length).isEqualTo(s.seenIdTimes.length).isGreaterThanOrEqualTo(1000).isLessThan(1500);
        for (int i = 0; i < 1000; i++) {
            assertThat(SeenEventIds.isDuplicateElseRemember(s, NO_LIST, "e-" + i, T + 2000 * MINUTE, WINDOW)).as("e-" + i).isTrue();
            assertThat(SeenEventIds.hashAt(s, i)).isEqualTo(SeenEventIds.hash("e-" + i));
            assertThat(SeenEventIds.timeAt(s, i)).isEqualTo(T + i * MINUTE);
        }
        assertThat(SeenEventIds.size(s)).isEqualTo(1000);
    }

    @Test
    void anIdWhoseHashIsZeroIsNotTakenForAFreeSlot() throws Exception {
        AccountState s = new AccountState();
        SeenEventIds.remember(s, 7, T);
        assertThat(s.seenIdHashes.length).isGreaterThan(1); // free slots, hash 0
        SeenEventIds.remember(s, 0, T + MINUTE);
        assertThat(SeenEventIds.size(s)).isEqualTo(2);
        assertThat(SeenEventIds.timeAt(s, 1)).isEqualTo(T + MINUTE);
        SeenEventIds.remember(s, 0, T + 2 * MINUTE); // the same hash again: the later time, no third id
        assertThat(SeenEventIds.size(s)).isEqualTo(2);
        assertThat(SeenEventIds.timeAt(s, 1)).isEqualTo(T + 2 * MINUTE);
    }

    @Test
    void forgettingKeepsTheRestInOrderAndGivesRoomBackWhenMostAreGone() throws Exception {
        AccountState s = new AccountState();
        for (int i = 0; i < 100; i++) SeenEventIds.isDuplicateElseRemember(s, NO_LIST, "e-" + i, T + i * MINUTE, WINDOW);
        SeenEventIds.forgetBefore(s, T + 40 * MINUTE);
        assertThat(SeenEventIds.size(s)).isEqualTo(60);
        for (int i = 0; i < 60; i++) assertThat(SeenEventIds.hashAt(s, i)).isEqualTo(SeenEventIds.hash("e-" + (40 + i)));
        assertThat(SeenEventIds.isDuplicateElseRemember(s, NO_LIST, "e-39", T + 100 * MINUTE, WINDOW)).as("forgotten").isFalse();
        assertThat(SeenEventIds.isDuplicateElseRemember(s, NO_LIST, "e-40", T + 100 * MINUTE, WINDOW)).isTrue();

        SeenEventIds.forgetBefore(s, T + 98 * MINUTE);
        assertThat(SeenEventIds.size(s)).isEqualTo(3); // e-98, e-99 and e-39 again
        assertThat(s.seenIdHashes.length).isLessThan(10);
        SeenEventIds.forgetBefore(s, T + 1000 * MINUTE);
        assertThat(SeenEventIds.size(s)).isZero();
    }

    @Test
    void theStoredFormHoldsTheIdsAloneWhateverRoomTheyHad() throws Exception {
        AccountState grown = new AccountState();
        grown.firstEventAt = T;
        grown.firstEventDay = T / SignalEngine.DAY_MS;
        for (int i = 0; i < 10; i++) SeenEventIds.isDuplicateElseRemember(grown, NO_LIST, "e-" + i, T + i * MINUTE, WINDOW);
        assertThat(grown.seenIdHashes.length).isGreaterThan(10);

        AccountState exact = new AccountState();
        exact.firstEventAt = grown.firstEventAt;
        exact.firstEventDay = grown.firstEventDay;
        exact.seenIdHashes = Arrays.copyOf(grown.seenIdHashes, 10);
        exact.seenIdTimes = Arrays.copyOf(grown.seenIdTimes, 10);

        byte[] stored = bytes(grown);
        assertThat(stored).isEqualTo(bytes(exact));
        AccountState back = SERIALIZER.deserialize(new DataInputDeserializer(stored));
        assertThat(back.seenIdHashes).isEqualTo(exact.seenIdHashes);
        assertThat(back.seenIdTimes).isEqualTo(exact.seenIdTimes);
        assertThat(SeenEventIds.isDuplicateElseRemember(back, NO_LIST, "e-3", T + 30 * MINUTE, WINDOW)).isTrue();
    }

    @Test
    void aFreeSlotBeforeAnIdIsNotTheCompactFormAndRoundTripsAsItIs() throws Exception {
        AccountState odd = new AccountState();
        odd.firstEventAt = T;
        odd.firstEventDay = T / SignalEngine.DAY_MS;
        odd.seenIdHashes = new long[] {5, 0, 6};
        odd.seenIdTimes = new long[] {T, SeenEventIds.FREE, T + MINUTE};
        AccountState back = SERIALIZER.deserialize(new DataInputDeserializer(bytes(odd)));
        assertThat(back.seenIdHashes).containsExactly(5, 0, 6);
        assertThat(back.seenIdTimes).containsExactly(T, SeenEventIds.FREE, T + MINUTE);
    }

    private static byte[] bytes(AccountState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(128);
        SERIALIZER.serialize(s, out);
        return out.getCopyOfBuffer();
    }
}
