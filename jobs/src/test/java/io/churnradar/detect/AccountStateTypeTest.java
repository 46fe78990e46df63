package io.churnradar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.Severity;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The account state stays a Flink POJO without any generic (Kryo) field, and every field round-trips. */
class AccountStateTypeTest {

    @Test
    void isAPojoWithoutGenericTypes() throws Exception {
        TypeInformation<AccountState> type = TypeInformation.of(AccountState.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false); // as the job runs: pipeline.generic-types: false
        TypeSerializer<AccountState> serializer = type.createSerializer(noKryo);

        AccountState s = new AccountState();
        s.firstEventDay = 20_000;
        s.firstEventAt = 20_000 * SignalEngine.DAY_MS + 5;
        FeatureUsage.record(s, "reports", 7);
        s.urgentTicketIds = new String[] {"T-1"};
        s.urgentTicketOpenedAt = new long[] {9};
        s.urgentTicketAged = new boolean[] {true};
        s.cardExpiryMonth = CardExpiringSignal.month("2026-04");
        s.plan = "team";
        s.seats = 12;
        s.lastHealthScore = 64;
        s.lastHealthTier = HealthTier.YELLOW;
        s.setEpisode(Signal.RENEWAL_AT_RISK, new Episode(11, Severity.HIGH));

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        AccountState back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(s);
        assertThat(out.length()).as("bytes of a small account").isLessThan(600);
    }
}
