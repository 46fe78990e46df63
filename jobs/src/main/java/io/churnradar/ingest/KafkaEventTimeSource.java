package io.churnradar.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source of the events, told what event time needs to know about its partitions, which
 * the Kafka connector does not say:
 *
 * <ul>
 *   <li><b>Empty at assignment</b>: when a reader gets a partition (at start, on a restore, when a new
 *       partition is discovered) it asks the broker for the partition's first and end offsets (the last
 *       stable offset: the source reads committed records only). A partition that holds no record at all
 *       (never written, or all expired) is marked idle at once instead of holding event time at its
 *       minimum for the whole idleness timeout; its first record makes it active again. A partition that
 *       holds records holds event time from its assignment (its output is registered then, where Flink's
 *       reader registers it at its first fetch), however long its first fetch takes and even when the job has
 *       read them all: data present at assignment, and the next records of a live partition, are never made
 *       late by this rule. If the broker does not answer, nothing is marked (the idleness timeout
 *       still applies).
 *   <li><b>The topic of a partition</b>, and whether it was taken for empty: per-topic idleness and the
 *       backlog grace ({@link EventTimeWatermarks}) need to know them of the partition a watermark generator
 *       serves, and Flink creates the generators without saying which split they are for. The first record of
 *       each partition is emitted with them in a thread-local ({@link #partitionOfFirstRecordBeingEmitted()});
 *       the generator, called synchronously on the same task thread for that record, reads it once.
 *   <li><b>The end of a bounded replay</b>: every reader sends the same last watermark before it ends, the newest event
 *       time of all readers trailed by the out-of-orderness bound ({@link ReplayEnd}).
 * </ul>
 *
 * Everything else (splits, enumerator, checkpoints, offsets committed on checkpoints) is the Kafka
 * source's own: savepoints of the job are unchanged by this wrapper.
 */
public final class KafkaEventTimeSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventTimeSource.class);
    private static final ThreadLocal<PartitionStart> EMITTING_FIRST = new ThreadLocal<>();
    /** How long a reader waits for the broker's offsets before leaving its partitions to the idleness timeout. */
    private static final long LOOKUP_TIMEOUT_MS = 60_000;

    private final KafkaSource<T> kafka;
    private final Properties adminProperties;
    private final Duration maxOutOfOrderness;
    private final EventTimeOf<T> eventTimeOf;

    private KafkaEventTimeSource(KafkaSource<T> kafka, Properties adminProperties, Duration maxOutOfOrderness,
            EventTimeOf<T> eventTimeOf) {
        this.kafka = kafka;
        this.adminProperties = adminProperties;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.eventTimeOf = eventTimeOf;
    }

    /** The event time of a record, as the job's timestamp assigner reads it (MIN for a record that is no event). */
    @FunctionalInterface
    public interface EventTimeOf<T> extends java.io.Serializable {
        long of(T record);
    }

    /**
     * {@code clientProperties}: the properties the Kafka source's consumer uses (bootstrap servers,
     * security); only the ones an admin client knows are kept. {@code groupId}: the source's group, which names the
     * admin client of the offset look-ups. {@code maxOutOfOrderness} and {@code eventTimeOf}: the job's watermarks', for the
     * end of a bounded replay.
     */
    public static <T> KafkaEventTimeSource<T> wrap(KafkaSource<T> kafka, String bootstrapServers,
            Map<String, String> clientProperties, String groupId, Duration maxOutOfOrderness, EventTimeOf<T> eventTimeOf) {
        return new KafkaEventTimeSource<>(kafka, adminProperties(bootstrapServers, clientProperties, groupId),
                java.util.Objects.requireNonNull(maxOutOfOrderness, "maxOutOfOrderness"),
                java.util.Objects.requireNonNull(eventTimeOf, "eventTimeOf"));
    }

    /**
     * The properties of the offset look-ups' admin client: those of {@code clientProperties} an admin
     * client knows, and the config providers' own keys ({@code config.providers.<alias>.class}), which
     * are no admin setting but without which a secret given as {@code ${file:...}} stays unresolved.
     */
    public static Properties adminProperties(String bootstrapServers, Map<String, String> clientProperties, String groupId) {
        Properties p = new Properties();
        Set<String> adminKeys = AdminClientConfig.configNames();
        for (Map.Entry<String, String> e : clientProperties.entrySet()) {
            if (adminKeys.contains(e.getKey()) || e.getKey().startsWith("config.providers.")) p.setProperty(e.getKey(), e.getValue());
        }
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, groupId + "-partition-ends");
        return p;
    }

    /**
     * What the watermark generator of a partition learns with the partition's first record since the reader
     * got it: its topic, and whether the partition had been marked idle for holding no record at assignment.
     */
    public record PartitionStart(String topic, boolean idleBefore) {}

    /**
     * The partition of the record being emitted, while it is the first record of its partition since the
     * reader got the partition; null otherwise (and when the source is not this one).
     */
    public static PartitionStart partitionOfFirstRecordBeingEmitted() {
        return EMITTING_FIRST.get();
    }

    /** Emits a partition's first record with what its watermark generator reads of the partition. */
    static void emitFirst(PartitionStart start, Runnable emit) {
        EMITTING_FIRST.set(start);
        try {
            emit.run();
        } finally {
            EMITTING_FIRST.remove();
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        return new ReplayEnd.Enumerator<>(kafka.createEnumerator(context), context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        return new ReplayEnd.Enumerator<>(kafka.restoreEnumerator(context, state), context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return kafka.getProducedType();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(kafka.createReader(context), adminProperties, new ReplayEnd.Reader(context, maxOutOfOrderness),
                eventTimeOf);
    }

    /** The Kafka source's reader, plus the end-offset look-ups and the per-partition outputs that track first records. */
    static final class Reader<T> extends ForwardingSourceReader<T, KafkaPartitionSplit> {
        private final Properties adminProperties;
        /** Splits assigned and not finished, by id (task thread only). */
        private final Map<String, KafkaPartitionSplit> assigned = new HashMap<>();
        /** Ids of splits assigned whose output is not registered yet (task thread only). */
        private final List<String> unregistered = new ArrayList<>();
        /** Ids of splits found empty at assignment, handed from the look-up thread to the task thread. */
        private final ConcurrentLinkedQueue<String> foundEmpty = new ConcurrentLinkedQueue<>();
        private volatile CompletableFuture<Void> lookupAnswered = new CompletableFuture<>();
        private ExecutorService lookups;
        private Admin admin;
        private Outputs<T> outputs;
        private final ReplayEnd.Reader ending;
        private final java.util.function.Consumer<T> onEmit;

        Reader(SourceReader<T, KafkaPartitionSplit> kafka, Properties adminProperties, ReplayEnd.Reader ending,
                EventTimeOf<T> eventTimeOf) {
            super(kafka);
            this.adminProperties = adminProperties;
            this.ending = ending;
            this.onEmit = record -> ending.emitted(eventTimeOf.of(record));
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            inner.addSplits(splits);
            List<KafkaPartitionSplit> toLookUp = new ArrayList<>();
            for (KafkaPartitionSplit s : splits) {
                assigned.put(s.splitId(), s);
                unregistered.add(s.splitId());
                // A bounded split that is empty ends at once, and a finished split no longer holds event time back.
                if (s.getStoppingOffset().isPresent()) continue;
                toLookUp.add(s);
            }
            if (toLookUp.isEmpty()) return;
            if (lookups == null) {
                lookups = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "churn-radar partition ends");
                    t.setDaemon(true);
                    return t;
                });
            }
            lookups.execute(() -> {
                try {
                    List<String> empty = emptyAtAssignment(toLookUp);
                    if (!empty.isEmpty()) {
                        LOG.info("Partitions holding no record at assignment, idle until their first record: {}", empty);
                    }
                    foundEmpty.addAll(empty);
                } catch (Exception e) {
                    // The partitions keep the plain idleness timeout: slower, never wrong.
                    LOG.warn("Could not read the end offsets of {}; they go idle after the idleness timeout", ids(toLookUp), e);
                } finally {
                    lookupAnswered.complete(null);
                }
            });
        }

        /**
         * Which of the splits are of partitions that hold no record at all now (never written, or every record
         * expired), by the broker's offsets. Not "nothing left to read from the starting offset": a live partition
         * that the job had caught up with when it restored is written again a moment later, and marking it idle
         * would let the other partitions move event time past its next records (late, dated at the watermark,
         * unlike the backtest: the fault suite's crash scenario showed it). Quiet topics that have been written
         * go idle after their own idleness ({@code inputs: topic: {idleness: ...}}).
         */
        private List<String> emptyAtAssignment(List<KafkaPartitionSplit> splits) throws Exception {
            if (admin == null) admin = Admin.create(adminProperties);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (KafkaPartitionSplit s : splits) {
                earliest.put(s.getTopicPartition(), OffsetSpec.earliest());
                latest.put(s.getTopicPartition(), OffsetSpec.latest());
            }
            List<String> empty = new ArrayList<>();
            if (latest.isEmpty()) return empty;
            ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first =
                    admin.listOffsets(earliest, committedOnly).all().get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                    admin.listOffsets(latest, committedOnly).all().get(LOOKUP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (KafkaPartitionSplit s : splits) {
                TopicPartition tp = s.getTopicPartition();
                if (end.containsKey(tp) && first.containsKey(tp) && end.get(tp).offset() <= first.get(tp).offset()) {
                    empty.add(s.splitId());
                }
            }
            return empty;
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (ending.waiting()) return ending.end(output) ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            if (outputs == null || outputs.main != output) outputs = new Outputs<>(output, assigned, onEmit);
            if (lookupAnswered.isDone()) lookupAnswered = new CompletableFuture<>();
            // Flink's reader creates a partition's output (and its watermark) when the partition's first records are
            // fetched: until then the partition holds nothing back, and the partitions fetched first move event time
            // past the others' first records, which then come late (the fault suite's upgrade lost events that way).
            // Registered at assignment, a partition holds event time until its first record, its idleness, or the
            // look-up below finding it empty.
            for (String id : unregistered) {
                if (assigned.containsKey(id)) outputs.createOutputForSplit(id);
            }
            unregistered.clear();
            for (String id; (id = foundEmpty.poll()) != null; ) {
                // Only a partition still assigned that has emitted nothing: one whose first record came
                // already is active, and a finished one has no output any more.
                if (assigned.containsKey(id) && !outputs.delivered(id)) ((PartitionOutput<T>) outputs.createOutputForSplit(id)).markEmpty();
            }
            InputStatus status = inner.pollNext(outputs);
            if (status != InputStatus.END_OF_INPUT) return status;
            ending.inputEnded();
            return ending.end(output) ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public void handleSourceEvents(org.apache.flink.api.connector.source.SourceEvent event) {
            if (!ending.take(event)) inner.handleSourceEvents(event);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            // Also available when a look-up answers, so that empty partitions are marked idle although
            // no record comes to wake the reader. Always both: the task may wait on this future from
            // before the splits (and their look-up) arrive.
            if (ending.waiting()) return ending.answered();
            if (!foundEmpty.isEmpty()) return CompletableFuture.completedFuture(null);
            CompletableFuture<Void> records = inner.isAvailable();
            if (records.isDone()) return records;
            return CompletableFuture.anyOf(records, lookupAnswered).thenApply(x -> null);
        }

        @Override
        public void close() throws Exception {
            try {
                inner.close();
            } finally {
                if (lookups != null) lookups.shutdownNow();
                if (admin != null) admin.close(java.time.Duration.ofSeconds(5));
            }
        }

        private static List<String> ids(List<KafkaPartitionSplit> splits) {
            return splits.stream().map(KafkaPartitionSplit::splitId).toList();
        }
    }

    /** The reader's output, with per-partition outputs that know their topic and whether a record came. */
    static final class Outputs<T> implements ReaderOutput<T> {
        final ReaderOutput<T> main;
        private final Map<String, KafkaPartitionSplit> assigned;
        private final Map<String, PartitionOutput<T>> bySplit = new HashMap<>();
        private final java.util.function.Consumer<T> onEmit;

        Outputs(ReaderOutput<T> main, Map<String, KafkaPartitionSplit> assigned, java.util.function.Consumer<T> onEmit) {
            this.main = main;
            this.assigned = assigned;
            this.onEmit = onEmit;
        }

        boolean delivered(String splitId) {
            PartitionOutput<T> o = bySplit.get(splitId);
            return o != null && o.delivered;
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            return bySplit.computeIfAbsent(splitId, id -> {
                KafkaPartitionSplit s = assigned.get(id);
                return new PartitionOutput<>(main.createOutputForSplit(id), s == null ? null : s.getTopic(), onEmit);
            });
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            bySplit.remove(splitId);
            assigned.remove(splitId);
            main.releaseOutputForSplit(splitId);
        }

        @Override
        public void collect(T record) {
            onEmit.accept(record);
            main.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            onEmit.accept(record);
            main.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            main.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            main.markIdle();
        }

        @Override
        public void markActive() {
            main.markActive();
        }
    }

    static final class PartitionOutput<T> implements SourceOutput<T> {
        private final SourceOutput<T> out;
        private final String topic;
        private final java.util.function.Consumer<T> onEmit;
        boolean delivered;
        /** Marked idle for holding no record at assignment, and no record delivered since. */
        private boolean empty;

        PartitionOutput(SourceOutput<T> out, String topic, java.util.function.Consumer<T> onEmit) {
            this.out = out;
            this.topic = topic;
            this.onEmit = onEmit;
        }

        @Override
        public void collect(T record) {
            collect(record, TimestampAssigner.NO_TIMESTAMP);
        }

        @Override
        public void collect(T record, long timestamp) {
            onEmit.accept(record);
            if (delivered) {
                out.collect(record, timestamp);
                return;
            }
            delivered = true;
            emitFirst(new PartitionStart(topic, empty), () -> out.collect(record, timestamp));
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            out.emitWatermark(watermark);
        }

        /** Idle until the first record, the partition holding none at assignment. */
        void markEmpty() {
            empty = true;
            out.markIdle();
        }

        @Override
        public void markIdle() {
            out.markIdle();
        }

        @Override
        public void markActive() {
            out.markActive();
        }
    }
}
