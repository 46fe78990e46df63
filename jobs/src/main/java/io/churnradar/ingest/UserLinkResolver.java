package io.churnradar.ingest;

import io.churnradar.ingest.formats.Mapped;
import io.churnradar.ingest.formats.UserLinks;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user: keeps the account each user was last linked to (Segment's {@code group} call, or
 * any call that names both) and gives it to that user's calls that name no account. A call that
 * arrives before any link for its user becomes a dead letter: an invented account would be worse.
 */
public final class UserLinkResolver extends KeyedProcessFunction<String, Ingested, Ingested> {
    private static final long serialVersionUID = 1L;
    public static final String UID = "user-links";

    private final Duration ttl;
    private transient ValueState<String> account;

    public UserLinkResolver(Duration ttl) {
        this.ttl = ttl;
    }

    /** Sends pending records through the resolver, keyed by their user, and everything else past it. */
    public static DataStream<Ingested> apply(DataStream<Ingested> ingested, Duration ttl) {
        DataStream<Ingested> direct = ingested.filter(i -> i.pendingUser == null).uid("no-user-link").name("Records with their account");
        DataStream<Ingested> resolved = ingested.filter(i -> i.pendingUser != null).uid("needs-user-link").name("Records of linked users")
                .keyBy(i -> i.pendingUser, Types.STRING)
                .process(new UserLinkResolver(ttl)).uid(UID).name("Accounts of linked users");
        return direct.union(resolved);
    }

    @Override
    public void open(OpenContext ctx) {
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>("account", Types.STRING);
        if (ttl != null && !ttl.isZero()) d.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        account = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<Ingested> out) throws Exception {
        UserLinks links = new UserLinks() {
            @Override
            public void link(String user, String acc) {
                try {
                    account.update(acc);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public String accountOf(String user) {
                try {
                    return account.value();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Mapped m = (in.event == null ? Mapped.of() : Mapped.of(in.event)).withLink(in.linkUser, in.linkAccount, Long.MIN_VALUE);
        try {
            List<AccountEvent> events = m.resolve(links);
            for (AccountEvent e : events) out.collect(Ingested.event(e));
        } catch (InvalidEventException e) {
            in.deadLetter.setReason(e.getMessage());
            out.collect(Ingested.deadLetter(in.deadLetter));
        }
    }
}
