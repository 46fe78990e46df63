package io.churnradar.propensity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.EventTime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains on synthetic rows where churners use less and log in less: the model must rank them, the same way every time. */
class ChurnModelTest {
    private static final int LOGIN = ChurnFeatures.NAMES.indexOf("days_since_login");
    private static final int USAGE = ChurnFeatures.NAMES.indexOf("usage_7d");

    private static RowSet rows(long fromDay, int days, long seed) {
        Random r = new Random(seed);
        RowSet set = new RowSet(ChurnFeatures.COUNT);
        float[] x = new float[ChurnFeatures.COUNT];
        for (int d = 0; d < days; d++) {
            for (int a = 0; a < 60; a++) {
                boolean churner = r.nextDouble() < 0.3;
                java.util.Arrays.fill(x, Float.NaN);
                x[LOGIN] = (float) (churner ? 10 + r.nextGaussian() * 6 : 2 + r.nextGaussian() * 3);
                x[USAGE] = (float) Math.max(0, churner ? 5 + r.nextGaussian() * 5 : 20 + r.nextGaussian() * 8);
                set.add(a, fromDay + d, (byte) (churner ? 1 : 0), x);
            }
        }
        return set;
    }

    private static ChurnModel train() {
        long start = LocalDate.parse("2026-01-01").toEpochDay();
        return ChurnTrainer.train(rows(start, 40, 1), rows(start + 130, 20, 2), ChurnDefinition.parse("inactivity:90d"),
                LocalDate.parse("2026-05-11"), new ChurnTrainer.Options());
    }

    @Test
    void ranksChurnersOnTheLaterPeriodAndIsCalibrated() {
        ChurnModel m = train();
        ModelEvaluation e = m.evaluation();
        assertTrue(e.auc > 0.8, e.summary());
        assertTrue(e.brier < 0.2, e.summary());
        assertEquals(1200, e.rows);
        assertEquals(3, e.thresholds.size());
        assertEquals(10, e.lift.size());
        assertTrue(e.lift.get(0).lift > 2, e.summary());
        double meanP = 0;
        for (double p : m.probabilities(rows(LocalDate.parse("2026-06-01").toEpochDay(), 10, 3).features(), 600)) meanP += p / 600;
        assertEquals(0.3, meanP, 0.08, "calibrated to the churn rate");
    }

    @Test
    void scoresExplainWhatRaisedThem() {
        ChurnModel m = train();
        float[] x = new float[ChurnFeatures.COUNT];
        java.util.Arrays.fill(x, Float.NaN);
        x[LOGIN] = 20;
        x[USAGE] = 0;
        ChurnScore risky = m.score(x);
        x[LOGIN] = 1;
        x[USAGE] = 30;
        ChurnScore safe = m.score(x);
        assertTrue(risky.probability() > 0.7 && safe.probability() < 0.2, risky + " / " + safe);
        assertFalse(risky.topContributions().isEmpty());
        assertTrue(risky.topContributions().stream().allMatch(c -> c.contribution() > 0));
        assertTrue(java.util.Set.of("days_since_login", "usage_7d").contains(risky.topContributions().get(0).feature()), risky.toString());
        // From a state as the detector keeps it.
        AccountState s = new AccountState();
        s.lastLoginAt = 0;
        ChurnScore fromState = m.score(s, EventTime.closeAt(100));
        assertTrue(fromState.probability() > 0 && fromState.probability() < 1);
    }

    @Test
    void theArtefactRoundTripsAndTrainingIsDeterministic(@TempDir Path dir) throws Exception {
        ChurnModel m = train();
        Path file = dir.resolve("models/churn.model");
        m.write(file);
        ChurnModel back = ChurnModel.read(file);
        assertEquals("inactivity:90d", back.definition().toString());
        assertEquals("2026-05-11", back.trainedUntil());
        assertEquals(ChurnFeatures.NAMES, back.features());
        assertEquals(m.evaluation().auc, back.evaluation().auc);
        float[] x = rows(LocalDate.parse("2026-07-01").toEpochDay(), 2, 9).features();
        assertArrayEquals(m.probabilities(x, 120), back.probabilities(x, 120));
        assertArrayEquals(m.probabilities(x, 120), ChurnModel.fromBytes(m.toBytes()).probabilities(x, 120));

        // Java serialization, as Flink ships it to an operator: the booster is rebuilt from its bytes.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(back);
        }
        ChurnModel shipped;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (ChurnModel) in.readObject();
        }
        assertArrayEquals(m.probabilities(x, 120), shipped.probabilities(x, 120));

        String first = new String(m.toBytes(), StandardCharsets.UTF_8).replaceAll("\"millis\" : \\d+", "");
        String again = new String(train().toBytes(), StandardCharsets.UTF_8).replaceAll("\"millis\" : \\d+", "");
        assertEquals(first, again, "the same rows give the same model");
        assertTrue(Files.size(file) > 1000);
    }

    @Test
    void badArtefactsAreRefusedWithTheirReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChurnModel.fromBytes("{}".getBytes()))
                .getMessage().contains("format"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChurnModel.fromBytes("not json".getBytes()))
                .getMessage().contains("not a churn propensity model"));
        String doc = new String(train().toBytes(), StandardCharsets.UTF_8);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChurnModel.fromBytes(doc.replace("\"formatVersion\" : 1", "\"formatVersion\" : 9").getBytes()))
                .getMessage().contains("version 9"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChurnModel.fromBytes(doc.replace("\"usage_1d\"", "\"usage_today\"").getBytes()))
                .getMessage().contains("features"));
    }

    @Test
    void refusesTrainingRowsOfOneClass() {
        long start = LocalDate.parse("2026-01-01").toEpochDay();
        for (byte label : new byte[] {0, 1}) {
            RowSet oneClass = new RowSet(ChurnFeatures.COUNT);
            RowSet all = rows(start, 20, 4);
            float[] x = new float[ChurnFeatures.COUNT];
            for (int i = 0; i < all.size(); i++) {
                System.arraycopy(all.features(), i * ChurnFeatures.COUNT, x, 0, ChurnFeatures.COUNT);
                oneClass.add(i % 60, start + i / 60, label, x);
            }
            String message = assertThrows(IllegalArgumentException.class, () -> ChurnTrainer.train(oneClass, rows(start + 130, 5, 2),
                    ChurnDefinition.parse("inactivity:90d"), LocalDate.parse("2026-05-11"), new ChurnTrainer.Options())).getMessage();
            assertTrue(message.startsWith("the 1,200 training rows (2026-01-01 .. 2026-01-20) are all "
                    + (label == 0 ? "without churn" : "churn") + " under the label inactivity:90d"), message);
            assertTrue(message.contains("--label, --horizon"), message);
        }
    }

    @Test
    void anEvaluationWithoutChurnSaysWhatCannotBeMeasured() {
        String summary = ModelEvaluation.of(new double[] {0.1, 0.2, 0.05}, new byte[] {0, 0, 0}).summary();
        assertTrue(summary.startsWith("rows 3, churn rate 0.000, AUC -,"), summary);
        assertTrue(summary.contains("(no churn in these rows: AUC and recall cannot be measured)"), summary);
        assertTrue(summary.contains("p >= 0.5: 0 flagged, precision -, recall -"), summary);
        assertTrue(ModelEvaluation.of(new double[] {0.9, 0.6}, new byte[] {1, 1}).summary().contains("(every row churns"));
    }

    @Test
    void calibrationRecoversAKnownSlopeAndStaysFiniteWhereTheMarginsSeparate() {
        Random r = new Random(7);
        int n = 20_000;
        float[][] m = new float[n][1];
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            m[i][0] = (float) r.nextGaussian();
            y[i] = (byte) (r.nextDouble() < ChurnModel.sigmoid(2 * m[i][0] - 1) ? 1 : 0);
        }
        ChurnModel.Calibration c = ChurnTrainer.platt(m, y);
        assertEquals(2, c.a, 0.15);
        assertEquals(-1, c.b, 0.15);
        // Margins that separate the classes: the probabilities stay short of 0 and 1, at Platt's targets.
        float[][] apart = new float[200][1];
        byte[] labels = new byte[200];
        for (int i = 0; i < 200; i++) {
            labels[i] = (byte) (i % 4 == 0 ? 1 : 0);
            apart[i][0] = labels[i] == 1 ? 3 + i % 7 : -3 - i % 5;
        }
        ChurnModel.Calibration s = ChurnTrainer.platt(apart, labels);
        assertTrue(Double.isFinite(s.a) && Math.abs(s.a) < 50, "slope " + s.a);
        double top = ChurnModel.sigmoid(s.a * 3 + s.b), bottom = ChurnModel.sigmoid(s.a * -3 + s.b);
        assertTrue(top > 0.8 && top < 0.999, "p at the lowest churner's margin " + top);
        assertTrue(bottom < 0.2 && bottom > 0.001, "p at the highest stayer's margin " + bottom);
    }
}
