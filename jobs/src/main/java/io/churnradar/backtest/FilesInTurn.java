package io.churnradar.backtest;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A {@link FileSource} whose reader takes part in watermark alignment. Alignment pauses a source that ran
 * ahead, and also asks its reader to pause the splits that ran ahead; Flink's file reader cannot pause a
 * split, and fails the job saying so. Its reader reads one file after the other (each input's files in
 * order, {@link FilesInOrder}), so pausing the source pauses its one split: the request needs nothing done,
 * as Iceberg's source answers it too. Everything else is the file source's own.
 */
final class FilesInTurn<T> implements Source<T, FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final FileSource<T> files;

    FilesInTurn(FileSource<T> files) {
        this.files = files;
    }

    @Override
    public Boundedness getBoundedness() {
        return files.getBoundedness();
    }

    @Override
    public SourceReader<T, FileSourceSplit> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(files.createReader(context));
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> createEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context) throws Exception {
        return files.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> restoreEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context, PendingSplitsCheckpoint<FileSourceSplit> checkpoint) throws Exception {
        return files.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<FileSourceSplit> getSplitSerializer() {
        return files.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<PendingSplitsCheckpoint<FileSourceSplit>> getEnumeratorCheckpointSerializer() {
        return files.getEnumeratorCheckpointSerializer();
    }

    @Override
    public Set<? extends WatermarkDeclaration> declareWatermarks() {
        return files.declareWatermarks();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return files.getProducedType();
    }

    /** The file source's reader, with nothing to do when alignment pauses or resumes its split. */
    private static final class Reader<T> implements SourceReader<T, FileSourceSplit> {
        private final SourceReader<T, FileSourceSplit> files;

        Reader(SourceReader<T, FileSourceSplit> files) {
            this.files = files;
        }

        @Override
        public void start() {
            files.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            return files.pollNext(output);
        }

        @Override
        public List<FileSourceSplit> snapshotState(long checkpointId) {
            return files.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return files.isAvailable();
        }

        @Override
        public void addSplits(List<FileSourceSplit> splits) {
            files.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            files.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            files.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            files.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            files.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            // The source is paused as a whole while its one split is ahead.
        }

        @Override
        public void close() throws Exception {
            files.close();
        }
    }
}
