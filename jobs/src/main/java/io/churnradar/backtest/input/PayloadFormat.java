package io.churnradar.backtest.input;

import io.churnradar.guard.EventTimeGuard;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.InputFormat;
import io.churnradar.ingest.formats.UserLinks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * The payloads of one backtest input's files as {@link InputRecord}s, with file and line of each: the
 * format of its {@code FileSource}. A bulk format, not a stream format: a stream format's reader is given
 * the file's bytes but not its name, which every dead letter names. Each file is one split ({@link PayloadFile}
 * reads JSON Lines, gzip and JSON documents whole), read in batches on the source's fetcher thread, where
 * the payloads are mapped too.
 *
 * <p>An input's files are read one after the other by one reader (the source runs at parallelism 1), so
 * what spans them lives here, made on first use: the user links a Segment history teaches, in the order
 * it is read, and the event-time guard, which judges the input's events against each other as the
 * streaming job's judges a partition's.
 */
final class PayloadFormat implements BulkFormat<InputRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    /** Payloads per batch handed from the fetcher thread to the task. */
    private static final int BATCH = 512;

    private final int input;
    private final InputFormat format;
    private final FormatOptions options;
    private final EventTimeGuard guard;
    private final int maxLineBytes;

    private transient PayloadMapping mapping;
    private transient UserLinks links;

    PayloadFormat(int input, InputFormat format, FormatOptions options, EventTimeGuard guard, int maxLineBytes) {
        this.input = input;
        this.format = format;
        this.options = options;
        this.guard = guard;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public BulkFormat.Reader<InputRecord> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new Reader(split, 0);
    }

    @Override
    public BulkFormat.Reader<InputRecord> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        return new Reader(split, split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L));
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return TypeInformation.of(InputRecord.class);
    }

    /** What an input file that cannot be read does to the job: stops it, as a restart would only fail the same way. */
    private static SuppressRestartsException stopped(UnreadableInputFile e) {
        return new SuppressRestartsException(e);
    }

    /** One file's records, in batches; a restored one skips the records it had passed on. */
    private final class Reader implements BulkFormat.Reader<InputRecord> {
        private final PayloadFile file;
        private long passedOn;
        private long toSkip;
        /** The records of the file before the batch's first: where a restore after that record starts. */
        private long batchStart;
        private final InputRecord counts = new InputRecord();
        /** The file's bytes read as of the last record passed on. */
        private long bytesCounted;
        private boolean done;

        Reader(FileSourceSplit split, long toSkip) throws IOException {
            if (mapping == null) {
                mapping = new PayloadMapping(format, options, maxLineBytes);
                links = UserLinks.inMemory();
            }
            try {
                this.file = PayloadFile.open(Path.of(split.path().toUri()), maxLineBytes);
            } catch (UnreadableInputFile e) {
                throw stopped(e);
            }
            this.toSkip = toSkip;
        }

        @Override
        public BulkFormat.RecordIterator<InputRecord> readBatch() throws IOException {
            if (done) return null;
            List<InputRecord> batch = new ArrayList<>();
            for (int n = 0; n < BATCH && !done; n++) {
                PayloadFile.Payload p;
                try {
                    p = file.next();
                } catch (UnreadableInputFile e) {
                    throw stopped(e);
                }
                if (p == null) {
                    done = true;
                    if (counts.lines > 0) add(batch, new InputRecord()); // the counts of the file's last lines
                    break;
                }
                read(p, batch);
            }
            if (batch.isEmpty()) return null;
            ArrayResultIterator<InputRecord> it = new ArrayResultIterator<>();
            it.set(batch.toArray(new InputRecord[0]), batch.size(), CheckpointedPosition.NO_OFFSET, batchStart);
            return it;
        }

        private void read(PayloadFile.Payload p, List<InputRecord> batch) throws IOException {
            counts.lines++;
            MergedPayloads.Outcome o = mapping.map(p);
            AccountEvent unlinked = o.mapped == null ? null : withoutAccount(o.mapped.events); // before resolve() gives accounts
            PayloadMapping.resolve(o, links);
            if (o.rejected == null) unlinked = null;
            if (o.blank) {
                counts.blankLines++;
            } else if (o.skipped != null) {
                counts.skipped++;
            } else if (unlinked != null) {
                // A call whose user has no account link yet: the streaming job reads its time before it looks the link
                // up downstream, so the time is judged and counts for the input's event time there; here too, so that
                // the backtest of the same calls equals the stream.
                String tooFar = guard.check(unlinked, "");
                InputRecord r = rejected(tooFar != null ? tooFar : o.rejected, p);
                if (tooFar == null) r.countsAt = unlinked.eventTime;
                add(batch, r);
            } else if (o.rejected != null) {
                add(batch, rejected(o.rejected, p));
            } else {
                for (AccountEvent e : o.events) {
                    String tooFar = guard.check(e, "");
                    if (tooFar != null) {
                        add(batch, rejected(tooFar, p));
                    } else {
                        InputRecord r = new InputRecord();
                        r.event = e;
                        add(batch, r);
                    }
                }
            }
        }

        /** The first event that awaits its account from a user link, or null: a scan, no list, as every payload passes here. */
        private static AccountEvent withoutAccount(List<AccountEvent> events) {
            for (AccountEvent e : events) {
                if (e.accountId == null) return e;
            }
            return null;
        }

        private InputRecord rejected(String reason, PayloadFile.Payload p) {
            InputRecord r = new InputRecord();
            r.rejected = RejectedLine.of(reason, p);
            return r;
        }

        /** Adds a record with the counts since the last one, unless restored past it. */
        private void add(List<InputRecord> batch, InputRecord r) throws IOException {
            long bytesRead = file.bytesRead();
            r.input = input;
            r.lines = counts.lines;
            r.fileBytes = bytesRead - bytesCounted;
            r.blankLines = counts.blankLines;
            r.skipped = counts.skipped;
            counts.lines = counts.blankLines = counts.skipped = 0;
            bytesCounted = bytesRead;
            passedOn++;
            if (toSkip > 0) {
                toSkip--;
                return;
            }
            if (batch.isEmpty()) batchStart = passedOn - 1;
            batch.add(r);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
