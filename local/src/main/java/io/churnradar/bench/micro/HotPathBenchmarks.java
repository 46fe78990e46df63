package io.churnradar.bench.micro;

import io.churnradar.detect.AccountState;
import io.churnradar.detect.SignalEngine;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.ingest.JsonEventParser;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-event hot path of the detection, one step per benchmark, in nanoseconds per event: parsing a
 * typical JSON line, the event-id de-duplication, the signal engine's update of a typical account's state,
 * and the round trip of that state through Flink's serializer (what RocksDB does on every read and write
 * of it). {@link #control} consumes a prebuilt event: the cost of the harness itself, to read the others by.
 * Defaults below; {@code ./churn-radar bench --micro --jmh "..."} overrides them with JMH's own options.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class HotPathBenchmarks {
    /** Ids kept for a typical account over the de-duplication window: a few hundred events a week. */
    private static final int IDS_PER_ACCOUNT = 256;
    private static final long WINDOW_MS = 7 * SignalEngine.DAY_MS;
    private static final long WATERMARK_LAG_MS = 600_000;

    private AccountEvent prebuilt;
    private SignalEngine engine;
    private AccountState state;
    private AccountEvent usage;
    private long eventTime;
    private EventIdDedup dedup;
    private String[] ids;
    private int nextId;
    private long dedupTime;
    private TypeSerializer<AccountState> serializer;
    private AccountState toSerialize;
    private DataOutputSerializer out;
    private DataInputDeserializer in;

    @Setup(Level.Trial)
    public void setUp() throws InvalidEventException {
        prebuilt = JsonEventParser.parse(TypicalAccount.USAGE_LINE);
        engine = TypicalAccount.engine();
        state = TypicalAccount.state(engine);
        usage = AccountEvent.usage("u-next", TypicalAccount.ACCOUNT, TypicalAccount.NEXT_DAY + 3_600_000, "reports", 3);
        eventTime = usage.eventTime;
        // The watermark trails by the backtest's default out-of-orderness (10 min; the streaming job's is 5 s); the first update closes
        // the days up to it, here rather than in the measurement.
        engine.onEvent(TypicalAccount.ACCOUNT, state, usage, eventTime - WATERMARK_LAG_MS, a -> {});
        // A steady map of IDS_PER_ACCOUNT ids; time moves so that each id comes back after the window: every
        // check finds its id stale and stores it again, the path of a new id without the map growing.
        dedup = EventIdDedup.current(WINDOW_MS);
        ids = new String[IDS_PER_ACCOUNT];
        for (int i = 0; i < ids.length; i++) ids[i] = TypicalAccount.ACCOUNT + "-30-10-" + (482_913 + i * 7919);
        dedupTime = TypicalAccount.NEXT_DAY;
        serializer = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
        toSerialize = TypicalAccount.state(engine);
        out = new DataOutputSerializer(1024);
        in = new DataInputDeserializer();
    }

    @Benchmark
    public void control(Blackhole bh) {
        bh.consume(prebuilt);
    }

    @Benchmark
    public AccountEvent parse() throws InvalidEventException {
        return JsonEventParser.parse(TypicalAccount.USAGE_LINE);
    }

    @Benchmark
    public boolean dedup() {
        String id = ids[nextId];
        nextId = (nextId + 1) % ids.length;
        dedupTime += WINDOW_MS / IDS_PER_ACCOUNT + 1;
        return dedup.isDuplicate(id, dedupTime);
    }

    @Benchmark
    public void stateUpdate(Blackhole bh) {
        // The same day throughout (a millisecond later each time): no day closes, the common case of an event.
        usage.eventTime = ++eventTime;
        engine.onEvent(TypicalAccount.ACCOUNT, state, usage, eventTime - WATERMARK_LAG_MS, bh::consume);
    }

    @Benchmark
    public AccountState serializerRoundTrip() throws IOException {
        out.clear();
        serializer.serialize(toSerialize, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }
}
