package io.churnradar.kpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.DetectionOutput;
import io.churnradar.detect.SignalEngine;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.retention.CancelReasonCount;
import io.churnradar.retention.RetentionKpi;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The retention KPIs of a small history worked out by hand: the detection engine makes the MRR
 * movements, {@link SegmentKpis} (in Flink's keyed operator harness, heap state) turns them into the
 * daily records; the formulas of docs/analysts.md checked segment by segment.
 */
class RetentionKpisTest {
    private static final LocalDate DAY_0 = LocalDate.of(2026, 3, 1);
    private static final double EPS = 1e-9;
    private static final KpiSettings SETTINGS = KpiSettings.defaults();

    private final SignalEngine engine = new SignalEngine(Rules.defaults());
    private final Map<String, AccountState> accounts = new HashMap<>();
    private final List<MrrMovement> movements = new ArrayList<>();
    private int seq;

    @Test
    void dailyFiguresFollowTheFormulasAcrossSegments() throws Exception {
        // Day 0: three new accounts. A basic 50.00 (band 0-100), B pro 500.00 and C pro 800.00 (band 100-1k).
        sub("A", 0, SubscriptionAction.STARTED, "basic", 5_000L, null);
        sub("B", 0, SubscriptionAction.STARTED, "pro", 50_000L, null);
        sub("C", 0, SubscriptionAction.STARTED, "pro", 80_000L, null);
        // Day 1: A upgrades to pro at 200.00 (expansion, and to plan=pro and band 100-1k); B cuts seats to
        // 400.00 (contraction); C cancels, too expensive (churned 800.00).
        sub("A", 1, SubscriptionAction.PLAN_CHANGED, "pro", 20_000L, null);
        sub("B", 1, SubscriptionAction.SEATS_CHANGED, null, 40_000L, null);
        sub("C", 1, SubscriptionAction.CANCELED, null, 0L, "too_expensive");
        // Day 2: C comes back at 800.00, D starts on enterprise at 15000.00 (band 10k+), B cancels without a reason.
        sub("C", 2, SubscriptionAction.REACTIVATED, "pro", 80_000L, null);
        sub("D", 2, SubscriptionAction.STARTED, "enterprise", 1_500_000L, null);
        sub("B", 2, SubscriptionAction.CANCELED, null, 0L, null);
        // A renewal changes nothing: no movement.
        sub("A", 2, SubscriptionAction.RENEWED, null, null, null);

        assertThat(movements).extracting(m -> m.accountId + " " + m.kind).containsExactly(
                "A NEW", "B NEW", "C NEW", "A EXPANSION", "B CONTRACTION", "C CHURNED", "C REACTIVATED", "D NEW", "B CHURNED");

        Map<String, RetentionKpi> kpis = run(movements, 2);

        // Day 0: everything is new; nothing at the start, so no rates.
        RetentionKpi all0 = kpis.get(key(0, "all"));
        assertThat(all0.getAccountsStart()).isZero();
        assertThat(all0.getAccountsEnd()).isEqualTo(3);
        assertThat(all0.getNewMinor()).isEqualTo(135_000);
        assertThat(all0.getMrrEndMinor()).isEqualTo(135_000);
        assertThat(all0.getLogoChurnRate()).isNull();
        assertThat(all0.getNrr()).isNull();
        assertThat(kpis.get(key(0, "mrr=0-100")).getNewMinor()).isEqualTo(5_000);
        assertThat(kpis.get(key(0, "mrr=100-1k")).getNewMinor()).isEqualTo(130_000);

        // Day 1, all: 3 accounts and 1350.00 at the start.
        RetentionKpi all1 = kpis.get(key(1, "all"));
        assertFigures(all1, 3, 2, 1, 135_000, 60_000, 0, 15_000, 10_000, 80_000, 0);
        assertThat(all1.getLogoChurnRate()).isCloseTo(1 / 3.0, within(EPS));
        assertThat(all1.getGrossMrrChurnRate()).isCloseTo(90_000 / 135_000.0, within(EPS));
        assertThat(all1.getNetMrrChurnRate()).isCloseTo(75_000 / 135_000.0, within(EPS));
        assertThat(all1.getNrr()).isCloseTo(60_000 / 135_000.0, within(EPS));
        assertThat(all1.getTopCancelReasons()).containsExactly(new CancelReasonCount("too_expensive", 1L));

        // A's expansion counts where A started the day (basic, 0-100); then A moves to pro and 100-1k.
        RetentionKpi basic1 = kpis.get(key(1, "plan=basic"));
        assertFigures(basic1, 1, 0, 0, 5_000, 0, 0, 15_000, 0, 0, 0);
        assertThat(basic1.getNrr()).isCloseTo(20_000 / 5_000.0, within(EPS));
        assertThat(basic1.getNetMrrChurnRate()).isCloseTo(-15_000 / 5_000.0, within(EPS));
        assertThat(basic1.getGrossMrrChurnRate()).isCloseTo(0, within(EPS));
        assertFigures(kpis.get(key(1, "mrr=0-100")), 1, 0, 0, 5_000, 0, 0, 15_000, 0, 0, 0);
        RetentionKpi pro1 = kpis.get(key(1, "plan=pro"));
        assertFigures(pro1, 2, 2, 1, 130_000, 60_000, 0, 0, 10_000, 80_000, 0);
        assertThat(pro1.getLogoChurnRate()).isCloseTo(0.5, within(EPS));
        assertThat(pro1.getGrossMrrChurnRate()).isCloseTo(90_000 / 130_000.0, within(EPS));
        assertThat(pro1.getNrr()).isCloseTo(40_000 / 130_000.0, within(EPS));
        assertFigures(kpis.get(key(1, "mrr=100-1k")), 2, 2, 1, 130_000, 60_000, 0, 0, 10_000, 80_000, 0);

        // Day 2, all: a reactivation, a new enterprise account and a churn without a reason.
        RetentionKpi all2 = kpis.get(key(2, "all"));
        assertFigures(all2, 2, 3, 1, 60_000, 1_600_000, 1_500_000, 0, 0, 40_000, 80_000);
        assertThat(all2.getLogoChurnRate()).isCloseTo(0.5, within(EPS));
        assertThat(all2.getGrossMrrChurnRate()).isCloseTo(40_000 / 60_000.0, within(EPS));
        assertThat(all2.getNetMrrChurnRate()).isCloseTo(-40_000 / 60_000.0, within(EPS));
        assertThat(all2.getNrr()).isCloseTo(20_000 / 60_000.0, within(EPS));
        assertThat(all2.getTopCancelReasons()).containsExactly(new CancelReasonCount("unknown", 1L));
        assertFigures(kpis.get(key(2, "plan=enterprise")), 0, 1, 0, 0, 1_500_000, 1_500_000, 0, 0, 0, 0);
        assertFigures(kpis.get(key(2, "mrr=10k+")), 0, 1, 0, 0, 1_500_000, 1_500_000, 0, 0, 0, 0);
        assertFigures(kpis.get(key(2, "plan=pro")), 2, 2, 1, 60_000, 100_000, 0, 0, 0, 40_000, 80_000);

        // A segment has a record on a day with a movement only: plan=basic emptied on day 1.
        assertThat(kpis).doesNotContainKey(key(2, "plan=basic"));
        // Every record: end = start + new + expansion - contraction - churned + reactivated, but for
        // accounts moving in or out (A on day 1 in basic, pro and both bands).
        for (String k : List.of(key(1, "all"), key(2, "all"), key(2, "plan=pro"), key(2, "mrr=10k+"))) {
            RetentionKpi r = kpis.get(k);
            assertThat(r.getMrrEndMinor()).as(k).isEqualTo(r.getMrrStartMinor() + r.getNewMinor() + r.getExpansionMinor()
                    - r.getContractionMinor() - r.getChurnedMinor() + r.getReactivatedMinor());
        }
    }

    @Test
    void aCancellationAtMrrZeroKeepsThePriceItEndedForAReactivationWithoutOne() throws Exception {
        // Stripe's subscription.deleted maps to CANCELED with an MRR of 0; the reactivation names no MRR.
        sub("S", 0, SubscriptionAction.STARTED, "pro", 30_000L, null);
        sub("S", 1, SubscriptionAction.CANCELED, null, 0L, "too_expensive");
        sub("S", 2, SubscriptionAction.REACTIVATED, null, null, null);
        assertThat(movements).extracting(m -> m.kind + " " + m.mrrBeforeMinor + " " + m.mrrAfterMinor)
                .containsExactly("NEW 0 30000", "CHURNED 30000 0", "REACTIVATED 0 30000");
        assertThat(accounts.get("S").subscription.mrrMinor).as("the price it paid, for its win-back plays too").isEqualTo(30_000);
    }

    @Test
    void topReasonsAreBoundedAndOrdered() throws Exception {
        List<MrrMovement> ms = new ArrayList<>();
        int n = 0;
        // 70 distinct reasons once each, and "price" three times, "bugs" twice: the 64 kept, the rest as other.
        List<String> reasons = new ArrayList<>(List.of("price", "price", "price", "bugs", "bugs"));
        for (int i = 0; i < 70; i++) reasons.add(String.format("r%02d", i));
        for (String r : reasons) ms.add(movement("acct-" + n++, 0, MovementKind.NEW, null, 0, false, "pro", 1_000, true, null));
        n = 0;
        for (String r : reasons) ms.add(movement("acct-" + n++, 1, MovementKind.CHURNED, "pro", 1_000, true, "pro", 0, false, r));
        RetentionKpi day1 = run(ms, 1).get(key(1, "all"));
        assertThat(day1.getAccountsStart()).isEqualTo(75);
        assertThat(day1.getLogoChurned()).isEqualTo(75);
        assertThat(day1.getLogoChurnRate()).isEqualTo(1.0);
        assertThat(day1.getAccountsEnd()).isZero();
        assertThat(day1.getTopCancelReasons()).containsExactly(
                new CancelReasonCount("other", 8L), new CancelReasonCount("price", 3L), new CancelReasonCount("bugs", 2L),
                new CancelReasonCount("r00", 1L), new CancelReasonCount("r01", 1L));
    }

    @Test
    void bandsAreNamedFromTheirBounds() {
        assertThat(SETTINGS.band(0)).isEqualTo("0-100");
        assertThat(SETTINGS.band(9_999)).isEqualTo("0-100");
        assertThat(SETTINGS.band(10_000)).isEqualTo("100-1k");
        assertThat(SETTINGS.band(99_999_999)).isEqualTo("10k+");
        KpiSettings custom = KpiSettings.of(List.of(50L, 2_500L, 1_000_000L), 3);
        assertThat(custom.band(4_999)).isEqualTo("0-50");
        assertThat(custom.band(5_000)).isEqualTo("50-2500");
        assertThat(custom.band(250_000)).isEqualTo("2500-1m");
        assertThat(custom.band(100_000_000)).isEqualTo("1m+");
    }

    @Test
    void bandsAndReasonsComeFromTheJobSettings() {
        io.churnradar.config.JobSettings s = io.churnradar.config.JobSettings.parse(
                "kpis:\n  mrrBands: [50, 500]\n  topCancelReasons: 3\n", "test");
        assertThat(s.kpis.bounds()).containsExactly(50L, 500L);
        assertThat(s.kpis.topReasons).isEqualTo(3);
        assertThat(s.kpis.band(50_000)).isEqualTo("500+");
        assertThat(io.churnradar.config.JobSettings.defaults().kpis.bounds()).isEqualTo(KpiSettings.DEFAULT_BANDS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.churnradar.config.JobSettings.parse(
                        "kpis:\n  mrrBands: [500, 50]\n  topCancelReasons: 100\n", "test"))
                .hasMessageContaining("kpis.mrrBands").hasMessageContaining("ascending").hasMessageContaining("kpis.topCancelReasons");
    }

    @Test
    void aLateEventsMovementIsDatedAtTheWatermarkItCameUnder() {
        sub("A", 0, SubscriptionAction.STARTED, "basic", 5_000L, null);
        assertThat(movements.get(0).at).isEqualTo(at(0)); // on time (no watermark yet): at the event
        // A cancellation of day 1 arrives when this subtask's event time is at day 3, 12:00: its movement counts in
        // day 3, the first day this subtask has not closed. Dated at day 1, the KPIs' operator would place it by
        // its own event time, the slowest subtask's, which depends on how the subtasks' records interleave.
        long watermark = DAY_0.plusDays(3).atTime(12, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
        AccountEvent cancel = AccountEvent.subscription("late", "A", at(1), SubscriptionAction.CANCELED);
        engine.onEvent("A", accounts.get("A"), cancel, watermark, new DetectionOutput() {
            @Override
            public void accept(io.churnradar.alerts.RiskAlert alert) {}

            @Override
            public void mrrMovement(MrrMovement m) {
                movements.add(m);
            }
        });
        assertThat(movements).hasSize(2);
        assertThat(movements.get(1).kind).isEqualTo(MovementKind.CHURNED);
        assertThat(movements.get(1).at).isEqualTo(watermark);
    }

    /** Applies one subscription event on day {@code day} (10:00) to the account, collecting its movement. */
    private void sub(String account, int day, SubscriptionAction action, String plan, Long mrr, String reason) {
        AccountEvent e = AccountEvent.subscription("e" + seq++, account, at(day), action);
        e.plan = plan;
        e.mrrMinor = mrr;
        e.reason = reason;
        AccountState s = accounts.computeIfAbsent(account, k -> new AccountState());
        engine.onEvent(account, s, e, AccountState.NONE, new DetectionOutput() {
            @Override
            public void accept(io.churnradar.alerts.RiskAlert alert) {}

            @Override
            public void mrrMovement(MrrMovement m) {
                movements.add(m);
            }
        });
    }

    private static MrrMovement movement(String account, int day, MovementKind kind, String planBefore, long mrrBefore,
            boolean activeBefore, String planAfter, long mrrAfter, boolean activeAfter, String reason) {
        MrrMovement m = new MrrMovement();
        m.accountId = account;
        m.at = at(day);
        m.kind = kind;
        m.planBefore = planBefore;
        m.mrrBeforeMinor = mrrBefore;
        m.activeBefore = activeBefore;
        m.planAfter = planAfter;
        m.mrrAfterMinor = mrrAfter;
        m.activeAfter = activeAfter;
        m.reason = reason;
        return m;
    }

    /** The records of {@link SegmentKpis} by day|segment, the watermark passing each day up to {@code lastDay}. */
    static Map<String, RetentionKpi> run(List<MrrMovement> ms, int lastDay) throws Exception {
        Map<String, RetentionKpi> out = new LinkedHashMap<>();
        try (KeyedOneInputStreamOperatorTestHarness<String, SegmentChange, RetentionKpi> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SegmentKpis(SETTINGS)), c -> c.segment, Types.STRING)) {
            h.open();
            int day = 0;
            for (MrrMovement m : ms) {
                while (m.at >= closeAt(day)) h.processWatermark(closeAt(day++));
                for (SegmentChange c : SegmentChange.of(m, SETTINGS)) h.processElement(c, c.at);
            }
            while (day <= lastDay) h.processWatermark(closeAt(day++));
            for (RetentionKpi r : h.extractOutputValues()) {
                assertThat(out.put(r.getDay() + "|" + r.getSegment(), r)).as("one record per day and segment").isNull();
            }
        }
        return out;
    }

    private static void assertFigures(RetentionKpi r, long accountsStart, long accountsEnd, long logoChurned, long mrrStart,
            long mrrEnd, long newMinor, long expansion, long contraction, long churned, long reactivated) {
        assertThat(List.of(r.getAccountsStart(), r.getAccountsEnd(), r.getLogoChurned(), r.getMrrStartMinor(), r.getMrrEndMinor(),
                r.getNewMinor(), r.getExpansionMinor(), r.getContractionMinor(), r.getChurnedMinor(), r.getReactivatedMinor()))
                .as(r.getDay() + " " + r.getSegment())
                .containsExactly(accountsStart, accountsEnd, logoChurned, mrrStart, mrrEnd, newMinor, expansion, contraction, churned,
                        reactivated);
    }

    private static String key(int day, String segment) {
        return DAY_0.plusDays(day) + "|" + segment;
    }

    private static long at(int day) {
        return DAY_0.plusDays(day).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + 10 * 3_600_000L;
    }

    private static long closeAt(int day) {
        return DAY_0.plusDays(day + 1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
