package io.churnradar.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a bounded replay's event time, agreed by every reader before any of them ends.
 *
 * <p>A reader that ends sends {@code Long.MAX_VALUE} as its watermark. A consumer's event time is the smallest of its
 * inputs', so it moves with the readers still reading only once the ended one's MAX has been taken in. Flink takes
 * in its inputs in the order their buffers happen to come: when a reader with nothing to read (its topics empty)
 * ends first and its MAX is taken in after the other readers' whole output, every watermark before it is
 * swallowed, and the consumer's event time goes from nothing straight to the end. The detector detects nothing
 * after the last watermark short of the end (no detection later than the data that proves it), so such a replay
 * lost every day close and deadline. It happened at parallelism 2 with events in some topics only.
 *
 * <p>So each reader, when its input ends, tells the enumerator the newest event time it read and waits; once every
 * reader has told, the enumerator answers each with the newest of all, and each reader sends the watermark trailing
 * it by the out-of-orderness bound before it ends. Every input of a consumer then carries that watermark before its
 * MAX, so the consumer reaches it, whatever order it takes them in: the same end as the backtest's, which trails the
 * newest event of all its inputs. A reader that gets no answer (a reader of the job ended before a restore, and does
 * not run again) ends after {@link #ANSWER_TIMEOUT} without it, as before.
 */
public final class ReplayEnd {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayEnd.class);
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(2);

    private ReplayEnd() {}

    /** A reader to the enumerator: its input ended, the newest event time it read (MIN: none). */
    public record ReaderEnded(long newestEventTime) implements SourceEvent {}

    /** The enumerator to each reader: the newest event time any reader read (MIN: none). */
    public record NewestOfAll(long newestEventTime) implements SourceEvent {}

    /** The enumerator's side: collects every reader's end, answers them all once the last one came. */
    public static final class Enumerator<S extends SourceSplit, C> implements SplitEnumerator<S, C> {
        private final SplitEnumerator<S, C> inner;
        private final SplitEnumeratorContext<S> context;
        /** Newest event time by subtask, of the readers whose input ended (coordinator thread only). */
        private final Map<Integer, Long> ended = new HashMap<>();

        public Enumerator(SplitEnumerator<S, C> inner, SplitEnumeratorContext<S> context) {
            this.inner = inner;
            this.context = context;
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent event) {
            if (!(event instanceof ReaderEnded end)) {
                inner.handleSourceEvent(subtaskId, event);
                return;
            }
            ended.put(subtaskId, end.newestEventTime());
            if (ended.size() < context.currentParallelism()) return;
            long newest = ended.values().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
            for (int subtask : ended.keySet()) {
                try {
                    context.sendEventToSourceReader(subtask, new NewestOfAll(newest));
                } catch (RuntimeException e) {
                    // A reader that gave up waiting has ended: it needs no answer.
                    LOG.debug("The end of the replay not sent to reader {}", subtask, e);
                }
            }
        }

        @Override
        public void addReader(int subtaskId) {
            // A reader that starts again (a restore) reads on, and tells its end again.
            ended.remove(subtaskId);
            inner.addReader(subtaskId);
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            inner.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(java.util.List<S> splits, int subtaskId) {
            inner.addSplitsBack(splits, subtaskId);
        }

        @Override
        public C snapshotState(long checkpointId) throws Exception {
            return inner.snapshotState(checkpointId);
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
        public void close() throws java.io.IOException {
            inner.close();
        }
    }

    /** A reader's side: the newest event time it emitted, its report, and the answer it waits for. */
    static final class Reader {
        private final SourceReaderContext context;
        private final Duration bound;
        private long newest = Long.MIN_VALUE;
        private CompletableFuture<Long> answer;

        Reader(SourceReaderContext context, Duration maxOutOfOrderness) {
            this.context = context;
            this.bound = maxOutOfOrderness;
        }

        /** An event emitted at {@code eventTime} (MIN: a record that is no event). */
        void emitted(long eventTime) {
            if (eventTime > newest) newest = eventTime;
        }

        boolean waiting() {
            return answer != null;
        }

        /** The reader's input ended: tells the enumerator, and waits for the answer from now on. */
        void inputEnded() {
            answer = new CompletableFuture<Long>().completeOnTimeout(null, ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            context.sendSourceEventToCoordinator(new ReaderEnded(newest));
        }

        /** Whether the event is the answer (then taken), or one for the connector's reader. */
        boolean take(SourceEvent event) {
            if (!(event instanceof NewestOfAll all)) return false;
            if (answer != null) answer.complete(all.newestEventTime());
            return true;
        }

        CompletableFuture<Void> answered() {
            return answer.thenApply(x -> null);
        }

        /**
         * Once answered (or given up): sends the end's watermark on {@code output} and says the reader may end;
         * until then, false.
         */
        boolean end(ReaderOutput<?> output) {
            if (!answer.isDone()) return false;
            Long newestOfAll = answer.join();
            if (newestOfAll == null) {
                LOG.warn("Reader {} got no answer from the other readers within {}: it ends without their newest event time,"
                        + " and a detection that needs the replay's last event time may be missing", context.getIndexOfSubtask(),
                        ANSWER_TIMEOUT);
            } else if (newestOfAll != Long.MIN_VALUE) {
                output.emitWatermark(new Watermark(EventTimeWatermarks.trailing(newestOfAll, bound)));
            }
            return true;
        }
    }
}
