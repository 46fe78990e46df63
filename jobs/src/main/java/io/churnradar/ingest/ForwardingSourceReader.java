package io.churnradar.ingest;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;

/**
 * A source reader that passes every call on to a connector's reader, for wrappers that change a few of them (the
 * Kafka source's event-time look-ups, the backtest's file sources under watermark alignment). Flink has none.
 */
public abstract class ForwardingSourceReader<T, S extends SourceSplit> implements SourceReader<T, S> {
    protected final SourceReader<T, S> inner;

    protected ForwardingSourceReader(SourceReader<T, S> inner) {
        this.inner = inner;
    }

    @Override
    public void start() {
        inner.start();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        return inner.pollNext(output);
    }

    @Override
    public List<S> snapshotState(long checkpointId) {
        return inner.snapshotState(checkpointId);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return inner.isAvailable();
    }

    @Override
    public void addSplits(List<S> splits) {
        inner.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        inner.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        inner.handleSourceEvents(event);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        inner.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        inner.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
        inner.pauseOrResumeSplits(toPause, toResume);
    }

    @Override
    public void close() throws Exception {
        inner.close();
    }
}
