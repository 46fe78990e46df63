package io.churnradar.local.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** One account's row as the state holds it between closes: what the savepoint-level test cannot set up at will. */
class StateExportRowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long D = LocalDate.parse("2026-03-20").toEpochDay();

    private static AccountState account() {
        AccountState s = new AccountState();
        s.firstEventDay = D - 40;
        s.firstEventAt = (D - 40) * StateExport.DAY_MS;
        return s;
    }

    private static JsonNode exported(AccountState s, String snapshot) throws Exception {
        String row = JSON.writeValueAsString(StateExport.row(JSON, "acct-1", s, Rules.defaults()));
        return JSON.readTree(StateExport.withSnapshotDay(JSON, row, snapshot));
    }

    @Test
    void aDayReachedWithoutACloseOfItsOwnHasTheUsageOfItsOldestDay() throws Exception {
        // Closed last on D-5 (the trend's day), then quiet days skipped ahead to D: no close since dropped D-13's bucket,
        // so its absence is no usage, and the previous week's usage is known.
        AccountState s = account();
        s.lastClosedDay = D;
        s.trendDay = D - 5;
        s.bucketDays = new long[] {D - 10};
        s.bucketUsage = new double[] {5.0};
        s.bucketTicketsOpened = new int[] {0};
        JsonNode row = exported(s, LocalDate.ofEpochDay(D).toString());
        assertThat(row.get("usage_last_14d").get(0).asDouble()).isZero();
        assertThat(row.get("usage_prev_7d").asDouble()).isEqualTo(5.0);
        assertThat(row.get("usage_last_7d").asDouble()).isZero();
        assertThat(row.has(StateExport.REACHED_DAY)).as("an internal field").isFalse();
    }

    @Test
    void theDayTheStateReachedCountsEventsOfADayNotClosedYet() throws Exception {
        AccountState s = account();
        s.lastClosedDay = D;
        s.trendDay = D;
        s.lastLoginAt = Instant.parse("2026-03-21T12:33:00Z").toEpochMilli(); // the day after the last close
        s.lastHealthAt = (D + 1) * StateExport.DAY_MS; // published at the close of D: D's
        assertThat(StateExport.reachedDay(s)).isEqualTo(D + 1);
        JsonNode row = exported(s, "2026-03-21");
        assertThat(row.get("as_of_day").asText()).isEqualTo("2026-03-20");
        assertThat(row.get("days_since_last_login").asInt()).isZero();

        s.lastLoginAt = (D - 3) * StateExport.DAY_MS;
        assertThat(StateExport.reachedDay(s)).as("the close's health update belongs to the day it closes").isEqualTo(D);
    }
}
