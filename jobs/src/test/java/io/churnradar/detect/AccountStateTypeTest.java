package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import io.churnradar.detect.state.FeatureUsage;
import io.churnradar.signals.Signal;
import io.churnradar.signals.card.CardExpiringSignal;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The account state has its own compact serializer (no Kryo anywhere), and every field round-trips. */
class AccountStateTypeTest {

    @Test
    void hasItsCompactSerializerWithoutGenericTypes() throws Exception {
        TypeInformation<AccountState> type = TypeInformation.of(AccountState.class);
        assertThat(type).isInstanceOf(io.churnradar.detect.storage.AccountStateTypeInfo.class);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false); // as the job runs: pipeline.generic-types: false
        TypeSerializer<AccountState> serializer = type.createSerializer(noKryo);

        AccountState s = new AccountState();
        s.firstEventDay = 20_000;
        s.firstEventAt = 20_000 * SignalEngine.DAY_MS + 5;
        FeatureUsage.record(s, "reports", 7);
        s.urgentTickets().ids = new String[] {"T-1"};
        s.urgentTickets().openedAt = new long[] {9};
        s.urgentTickets().aged = new boolean[] {true};
        s.card().expiryMonth = CardExpiringSignal.month("2026-04");
        s.subscription().plan = "team";
        s.subscription().seats = 12;
        s.feedback().lastNpsScore = 3;
        s.lastHealthScore = 64;
        s.lastHealthTier = HealthTier.YELLOW;
        s.setEpisode(Signal.RENEWAL_AT_RISK, new Episode(11, Severity.HIGH));

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        AccountState back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(s);
        assertThat(out.length()).as("bytes of a small account").isLessThan(100);
    }

    @Test
    void whatAnAccountHasNotToldCostsAlmostNothing() throws Exception {
        TypeSerializer<AccountState> serializer = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
        AccountState bare = new AccountState();
        AccountState withSubscription = new AccountState();
        withSubscription.subscription();
        DataOutputSerializer a = new DataOutputSerializer(256);
        DataOutputSerializer b = new DataOutputSerializer(256);
        serializer.serialize(bare, a);
        serializer.serialize(withSubscription, b);
        assertThat(bare.subscription).isNull();
        assertThat(b.length() - a.length()).as("an empty subscription: its bit and an empty bitmap").isLessThanOrEqualTo(3);
    }
}
