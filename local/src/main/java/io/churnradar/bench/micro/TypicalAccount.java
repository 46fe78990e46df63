package io.churnradar.bench.micro;

import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SignalEngine;
import io.churnradar.events.TicketStatus;
import io.churnradar.ingest.AccountEvent;
import java.time.Instant;

/**
 * The account the micro-benchmarks work on: 30 days of logins, usage and opened tickets, a usage drop and
 * open episodes, as the throughput benchmark's busy account (its "state B/account"); and the typical input
 * line, a usage event as our JSON Lines carry it.
 */
public final class TypicalAccount {
    public static final String ACCOUNT = "acct-1";
    /** The day after the history: events of the benchmarks are dated in it. */
    public static final long NEXT_DAY = Instant.parse("2026-03-31T00:00:00Z").toEpochMilli();
    public static final String USAGE_LINE = "{\"type\":\"usage\",\"eventId\":\"acct-1-30-10-482913\",\"accountId\":\"acct-1\","
            + "\"userId\":\"u-3\",\"eventTime\":\"2026-03-31T10:15:00Z\",\"feature\":\"reports\",\"quantity\":3}";

    private TypicalAccount() {}

    public static AccountState state(SignalEngine engine) {
        AccountState s = new AccountState();
        long t = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
        for (int d = 0; d < 30; d++) {
            long day = t + d * SignalEngine.DAY_MS;
            engine.onEvent(ACCOUNT, s, AccountEvent.login("l" + d, ACCOUNT, day + 3_600_000), day, a -> {});
            engine.onEvent(ACCOUNT, s, AccountEvent.usage("u" + d, ACCOUNT, day + 7_200_000, "reports", d < 20 ? 10 : 1), day, a -> {});
            engine.onEvent(ACCOUNT, s, AccountEvent.ticket("t" + d, ACCOUNT, day + 9_000_000, "t" + d, TicketStatus.OPENED), day, a -> {});
        }
        return s;
    }

    public static SignalEngine engine() {
        return new SignalEngine(Rules.defaults());
    }
}
