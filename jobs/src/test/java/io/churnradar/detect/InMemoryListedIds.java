package io.churnradar.detect;

import java.util.ArrayList;
import java.util.List;

/** The list beside an account's value, in memory, counting how often the detection reads and writes it. */
final class InMemoryListedIds implements SeenEventIds.Listed {
    private final List<long[]> batches = new ArrayList<>();
    int reads;
    int adds;
    int rewrites;

    @Override
    public Iterable<long[]> batches() {
        reads++;
        return List.copyOf(batches);
    }

    @Override
    public void add(long[] batch) {
        adds++;
        batches.add(batch.clone());
    }

    @Override
    public void replace(List<long[]> replacement) {
        rewrites++;
        batches.clear();
        for (long[] b : replacement) batches.add(b.clone());
    }

    /** The entries held, forgotten ones included. */
    int entries() {
        int n = 0;
        for (long[] b : batches) n += ListedBatch.size(b);
        return n;
    }
}
