package io.churnradar.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.InvalidEventException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated customers, without Kafka: ordered, valid, reproducible, with every kind of trouble. */
class DemoScenarioTest {
    private static final long START = 20_000 * DemoScenario.DAY_MS; // 2024-10-04, a midnight UTC

    private static List<DemoScenario.Outgoing> all(DemoScenario s) {
        List<DemoScenario.Outgoing> out = new ArrayList<>();
        for (int h = 0; h < s.hours(); h++) out.addAll(s.hour(h));
        return out;
    }

    @Test
    void recordsAreInEventTimeOrderWithinThePeriodAndDecode() throws InvalidEventException {
        DemoScenario s = new DemoScenario(START, 10, 40, 7);
        List<DemoScenario.Outgoing> records = all(s);
        assertThat(records).isNotEmpty();
        AvroEvents avro = new AvroEvents();
        long previous = Long.MIN_VALUE;
        int malformed = 0;
        for (DemoScenario.Outgoing o : records) {
            assertThat(o.time()).isGreaterThanOrEqualTo(previous).isBetween(START, s.end() - 1);
            previous = o.time();
            if (o.malformed()) {
                malformed++;
            } else {
                assertThat(avro.decode(o.type(), o.value()).accountId).isEqualTo(o.accountId());
            }
        }
        assertThat(malformed).isBetween(3, 6);
    }

    @Test
    void sameSeedSameTraffic() {
        List<DemoScenario.Outgoing> a = all(new DemoScenario(START, 3, 25, 1));
        List<DemoScenario.Outgoing> b = all(new DemoScenario(START, 3, 25, 1));
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).time()).isEqualTo(b.get(i).time());
            assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
        }
    }

    @Test
    void mostAccountsAreHealthyAndEveryTroubleIsThere() {
        DemoScenario s = new DemoScenario(START, 45, 300, 42);
        long healthy = s.accounts.stream().filter(a -> a.trouble == DemoScenario.Trouble.NONE).count();
        assertThat(healthy).isEqualTo(240);
        for (DemoScenario.Trouble t : DemoScenario.Trouble.values()) {
            assertThat(s.accounts).anyMatch(a -> a.trouble == t);
        }
    }
}
