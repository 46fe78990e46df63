package io.churnradar.backtest.input;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out an input's files one after the other in the order given (by name): an input's watermark follows
 * its files in that order, so a file read early would make the older events of the files before it late.
 * Flink's assigners choose by locality, or last first.
 */
final class FilesInOrder implements FileSplitAssigner {
    private final Map<String, Integer> order;
    private final List<FileSourceSplit> remaining = new ArrayList<>();

    private FilesInOrder(Map<String, Integer> order, Collection<FileSourceSplit> splits) {
        this.order = order;
        addSplits(splits);
    }

    /** @param files the input's files, as their paths' strings, in the order to read them */
    static FileSplitAssigner.Provider provider(List<String> files) {
        Map<String, Integer> order = new HashMap<>();
        for (String f : files) order.putIfAbsent(key(new org.apache.flink.core.fs.Path(f)), order.size());
        return splits -> new FilesInOrder(order, splits);
    }

    private static String key(org.apache.flink.core.fs.Path p) {
        return p.toUri().getPath();
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return remaining.isEmpty() ? Optional.empty() : Optional.of(remaining.remove(0));
    }

    /** Splits come back when a reader fails: they go back into their place. */
    @Override
    public void addSplits(Collection<FileSourceSplit> splits) {
        remaining.addAll(splits);
        remaining.sort(Comparator.<FileSourceSplit>comparingInt(s -> order.getOrDefault(key(s.path()), Integer.MAX_VALUE))
                .thenComparing(FileSourceSplit::splitId));
    }

    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        return List.copyOf(remaining);
    }
}
