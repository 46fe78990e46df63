package io.churnradar.backtest.input;

import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.formats.FormatOptions;
import io.churnradar.ingest.formats.Mapped;
import io.churnradar.ingest.formats.UserLinks;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The payloads of several inputs mapped to events and merged by event time: Stripe, Segment and
 * Zendesk histories of the same months replay together, each input read in its own order (oldest
 * first). Reading one input after the other would carry the watermark to the end of the first and
 * make every event of the next late. A payload that is rejected or skipped is passed on at once; an
 * event that waits for a user's account gets it from the links learned so far, in merged order.
 */
public final class MergedPayloads implements Closeable {
    /** What became of one payload: events, a rejection or a skip (with the reason), or a blank line. */
    public static final class Outcome {
        public PayloadFile.Payload payload;
        public List<AccountEvent> events = List.of();
        public String rejected;
        public String skipped;
        public boolean blank;
        /** Mapped, its events not yet given their accounts ({@link PayloadMapping#resolve}). */
        Mapped mapped;
    }

    private final List<Cursor> cursors = new ArrayList<>();
    private final PriorityQueue<Cursor> heads = new PriorityQueue<>(
            Comparator.<Cursor>comparingLong(c -> c.headTime).thenComparingInt(c -> c.index));
    private final UserLinks links = UserLinks.inMemory();

    public MergedPayloads(List<BacktestInput> inputs, FormatOptions options) throws IOException {
        this(inputs, options, io.churnradar.guard.BacktestLimits.DEFAULT_MAX_LINE_BYTES);
    }

    /** @param maxLineBytes a longer line is rejected unread, its first bytes, size and hash kept */
    public MergedPayloads(List<BacktestInput> inputs, FormatOptions options, int maxLineBytes) throws IOException {
        for (BacktestInput in : inputs) {
            Cursor c = new Cursor(cursors.size(), in.files(), new PayloadMapping(in.format, options, maxLineBytes), maxLineBytes);
            cursors.add(c);
            if (c.advance()) heads.add(c);
        }
    }

    /** The next outcome in merged order, or null when every input is read. */
    public Outcome next() throws IOException {
        Cursor c = heads.poll();
        if (c == null) return null;
        Outcome o = c.head;
        PayloadMapping.resolve(o, links);
        if (c.advance()) heads.add(c);
        return o;
    }

    @Override
    public void close() throws IOException {
        for (Cursor c : cursors) c.close();
    }

    /** One input: its files in order, and its next payload, mapped. */
    private static final class Cursor implements Closeable {
        final int index;
        final List<Path> files;
        final PayloadMapping mapping;
        final int maxLineBytes;
        int nextFile;
        PayloadFile open;
        Outcome head;
        long headTime;

        Cursor(int index, List<Path> files, PayloadMapping mapping, int maxLineBytes) {
            this.index = index;
            this.files = files;
            this.mapping = mapping;
            this.maxLineBytes = maxLineBytes;
        }

        boolean advance() throws IOException {
            while (true) {
                if (open == null) {
                    if (nextFile >= files.size()) return false;
                    open = PayloadFile.open(files.get(nextFile++), maxLineBytes);
                }
                PayloadFile.Payload p = open.next();
                if (p == null) {
                    open.close();
                    open = null;
                    continue;
                }
                head = mapping.map(p);
                headTime = head.mapped != null ? head.mapped.time() : Long.MIN_VALUE; // what carries no time goes at once
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            if (open != null) open.close();
        }
    }
}
