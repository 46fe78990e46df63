package io.churnradar.propensity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.detect.state.FeatureUsage;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ChurnFeaturesTest {
    private static final long DAY = EventTime.DAY_MS;
    private static final long D = LocalDate.parse("2026-03-20").toEpochDay();

    private static float f(float[] v, String name) {
        return v[ChurnFeatures.NAMES.indexOf(name)];
    }

    private static AccountState account() {
        AccountState s = new AccountState();
        s.firstEventAt = (D - 30) * DAY;
        s.firstEventDay = D - 30;
        for (long d = D - 13; d <= D; d++) DayBuckets.add(s, d, d >= D - 6 ? 2 : 5, d == D - 1 ? 1 : 0);
        s.lastLoginAt = D * DAY + 3_600_000L;
        FeatureUsage.record(s, "reports", D * DAY + 7_200_000L);
        FeatureUsage.record(s, "export", (D - 20) * DAY);
        s.feedback().lastNpsScore = 4;
        s.feedback().lastNpsAt = (D - 2) * DAY;
        return s;
    }

    @Test
    void figuresAreTakenAtTheClose() {
        float[] v = ChurnFeatures.extract(account(), EventTime.closeAt(D));
        assertEquals(ChurnFeatures.COUNT, v.length);
        assertEquals(14f, f(v, "usage_7d"));
        assertEquals(35f, f(v, "usage_prev_7d"));
        assertEquals((14f - 35f) / 35f, f(v, "usage_trend_7d"), 1e-6);
        assertEquals(7f, f(v, "active_days_7d"));
        assertEquals(1f, f(v, "tickets_7d"));
        assertEquals(23f / 24f, f(v, "days_since_login"), 1e-6);
        assertEquals(1f, f(v, "features_used_7d"));
        assertEquals(2f, f(v, "features_used_30d"));
        assertEquals(4f, f(v, "nps"));
        assertEquals(31f, f(v, "tenure_days"));
        assertTrue(Float.isNaN(f(v, "mrr")), "never told: missing");
        assertTrue(Float.isNaN(f(v, "csat")));
    }

    /** What the state holds from after the close (events ahead of the watermark) changes no windowed figure. */
    @Test
    void noLookAhead() {
        AccountState s = account();
        float[] before = ChurnFeatures.extract(s, EventTime.closeAt(D));
        DayBuckets.add(s, D + 1, 100, 3);
        FeatureUsage.record(s, "billing", (D + 1) * DAY + 60_000L);
        s.feedback().lastNpsScore = 10;
        s.feedback().lastNpsAt = (D + 1) * DAY + 60_000L;
        s.feedback().lastCsatScore = 5;
        s.feedback().lastCsatAt = (D + 1) * DAY + 60_000L;
        float[] after = ChurnFeatures.extract(s, EventTime.closeAt(D));
        int nps = ChurnFeatures.NAMES.indexOf("nps");
        // The latest NPS answer replaced the earlier one in the state: the earlier is gone, so it reads as missing, never as the later.
        assertTrue(Float.isNaN(after[nps]));
        after[nps] = before[nps];
        int npsAge = ChurnFeatures.NAMES.indexOf("days_since_nps");
        after[npsAge] = before[npsAge];
        int known = ChurnFeatures.NAMES.indexOf("features_known");
        assertEquals(before[known], after[known]);
        assertArrayEquals(before, after);
        // A day later the same events count.
        float[] next = ChurnFeatures.extract(s, EventTime.closeAt(D + 1));
        assertEquals(100f, f(next, "usage_1d"));
        assertEquals(10f, f(next, "nps"));
    }

    @Test
    void anEmptyStateHasMissingFiguresNotErrors() {
        float[] v = ChurnFeatures.extract(new AccountState(), EventTime.closeAt(D));
        assertTrue(Float.isNaN(f(v, "days_since_login")));
        assertEquals(0f, f(v, "usage_7d"));
    }
}
