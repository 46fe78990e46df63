package io.churnradar.backtest.input;

import io.churnradar.ingest.ForwardingSourceReader;
import java.util.Collection;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.watermark.WatermarkDeclaration;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
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
    private static final class Reader<T> extends ForwardingSourceReader<T, FileSourceSplit> {
        Reader(SourceReader<T, FileSourceSplit> files) {
            super(files);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            // The source is paused as a whole while its one split is ahead.
        }
    }
}
