package io.churnradar.ingest.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.events.LoginEvent;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import io.churnradar.ingest.InvalidEventException;
import io.churnradar.testing.LocalSchemaRegistry;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Confluent wire format, the writer's schema from a registry on localhost (real HTTP) or a local file. */
class ConfluentAvroFormatTest {
    private static final Instant T = Instant.parse("2026-03-02T10:15:00Z");
    private static LocalSchemaRegistry registry;
    private static PayloadMapper mapper;

    @BeforeAll
    static void start() throws Exception {
        registry = new LocalSchemaRegistry();
        FormatOptions o = FormatOptions.defaults();
        o.schemaRegistryUrl = registry.url();
        mapper = InputFormat.AVRO_CONFLUENT.mapper(null, o);
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static AccountEvent one(byte[] payload) throws InvalidEventException {
        List<AccountEvent> e = Payloads.events(mapper, payload, UserLinks.NONE);
        assertThat(e).hasSize(1);
        return e.get(0);
    }

    @Test
    void eachEventTypeIsKnownByItsSchemaAndEachIdFetchedOnce() throws Exception {
        byte[] login = registry.encode(LoginEvent.newBuilder().setEventId("l1").setAccountId("acme").setEventTime(T).setUserId("u1").build());
        byte[] usage = registry.encode(UsageEvent.newBuilder().setEventId("u1").setAccountId("acme").setEventTime(T)
                .setFeature("reports").setQuantity(3).build());
        int before = registry.lookups();
        AccountEvent l = one(login);
        assertThat(l.type).isEqualTo(EventType.LOGIN);
        assertThat(l.userId).isEqualTo("u1");
        assertThat(l.eventTime).isEqualTo(T.toEpochMilli());
        AccountEvent u = one(usage);
        assertThat(u.type).isEqualTo(EventType.USAGE);
        assertThat(u.feature).isEqualTo("reports");
        assertThat(u.quantity).isEqualTo(3.0);
        one(login);
        one(usage);
        assertThat(registry.lookups() - before).isEqualTo(2);
    }

    @Test
    void aProducerOnTheOlderSubscriptionSchemaIsReadIntoTheCurrentOne() throws Exception {
        Schema v2;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schemas/history/v2/SubscriptionEvent.avsc")) {
            v2 = new Schema.Parser().parse(in);
        }
        SubscriptionEvent rec = SubscriptionEvent.newBuilder().setEventId("s1").setAccountId("acme").setEventTime(T)
                .setAction(SubscriptionAction.CANCEL_REQUESTED).setReason("too_expensive").build();
        AccountEvent e = one(registry.encode(rec, v2));
        assertThat(e.action).isEqualTo(SubscriptionAction.CANCEL_REQUESTED);
        assertThat(e.reason).isEqualTo("too_expensive");
    }

    @Test
    void aLocalSchemasFileServesWhereNoRegistryRuns() throws Exception {
        byte[] login = registry.encode(LoginEvent.newBuilder().setEventId("l2").setAccountId("acme").setEventTime(T).build());
        int id = registry.register(LoginEvent.getClassSchema());
        FormatOptions o = FormatOptions.defaults();
        o.localSchemas = new java.util.TreeMap<>(Map.of(id, LoginEvent.getClassSchema().toString()));
        List<AccountEvent> e = Payloads.events(InputFormat.AVRO_CONFLUENT.mapper(null, o), login, UserLinks.NONE);
        assertThat(e.get(0).eventId).isEqualTo("l2");
        byte[] unknown = login.clone();
        unknown[4] = 99;
        assertThatThrownBy(() -> InputFormat.AVRO_CONFLUENT.mapper(null, o).map(unknown))
                .hasMessage("schema id 99 is not in the local schemas file");
    }

    @Test
    void hostileRecordsAreRejectedWithReasons() throws Exception {
        byte[] login = registry.encode(LoginEvent.newBuilder().setEventId("l3").setAccountId("acme").setEventTime(T).build());
        byte[] single = io.churnradar.ingest.AvroEvents.encode(LoginEvent.newBuilder().setEventId("l3").setAccountId("acme").setEventTime(T).build());
        assertThatThrownBy(() -> mapper.map(single)).isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("not Confluent wire format: expected magic byte 0");
        byte[] missing = login.clone();
        missing[1] = 0x7f;
        assertThatThrownBy(() -> mapper.map(missing)).hasMessageContaining("is not in the schema registry at " + registry.url());
        assertThatThrownBy(() -> mapper.map(Arrays.copyOf(login, login.length - 3))).hasMessageStartingWith("corrupt Avro body");
        assertThatThrownBy(() -> mapper.map(Arrays.copyOf(login, login.length + 2))).hasMessageStartingWith("bytes left after the Avro record");
        int foreign = registry.register(new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"com.shop\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}"));
        byte[] order = {0, 0, 0, 0, (byte) foreign, 2, 'x'};
        assertThatThrownBy(() -> mapper.map(order)).hasMessageStartingWith("schema id " + foreign + " is record com.shop.Order, none of ours");
        byte[] noAccount = registry.encode(LoginEvent.newBuilder().setEventId("l4").setAccountId("").setEventTime(T).build());
        assertThatThrownBy(() -> Payloads.events(mapper, noAccount, UserLinks.NONE)).hasMessage("accountId is missing or empty");
        assertThatThrownBy(() -> mapper.map(null)).hasMessage("empty record value (tombstone)");
    }
}
