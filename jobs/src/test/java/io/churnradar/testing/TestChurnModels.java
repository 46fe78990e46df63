package io.churnradar.testing;

import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnFeatures;
import io.churnradar.propensity.ChurnModel;
import io.churnradar.propensity.ChurnTrainer;
import io.churnradar.propensity.RowSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Random;

/**
 * A small real model for tests of the scoring: trees trained (with the product's trainer) on synthetic
 * rows where the accounts that churn are the ones that stopped logging in. An account that logs in every
 * day scores low; after about a week without a login its probability passes 0.5, and goes on rising.
 */
public final class TestChurnModels {
    private static final int LOGIN = ChurnFeatures.NAMES.indexOf("days_since_login");
    private static ChurnModel cached;

    private TestChurnModels() {}

    /** The model (trained once per JVM: deterministic, so every test sees the same trees). */
    public static synchronized ChurnModel loginRecency() {
        if (cached == null) {
            long start = LocalDate.parse("2026-01-01").toEpochDay();
            ChurnTrainer.Options o = new ChurnTrainer.Options();
            o.rounds = 30;
            o.maxDepth = 2;
            cached = ChurnTrainer.train(rows(start, 30, 1), rows(start + 120, 10, 2), ChurnDefinition.parse("inactivity:30d"),
                    LocalDate.parse("2026-03-01"), o);
        }
        return cached;
    }

    /** Writes the model file, as {@code train --out} would. */
    public static Path write(Path file) throws IOException {
        loginRecency().write(file);
        return file;
    }

    private static RowSet rows(long fromDay, int days, long seed) {
        Random r = new Random(seed);
        RowSet set = new RowSet(ChurnFeatures.COUNT);
        float[] x = new float[ChurnFeatures.COUNT];
        for (int d = 0; d < days; d++) {
            for (int a = 0; a < 60; a++) {
                float since = (float) (r.nextDouble() * 20);
                // Churn is likely past a week of silence, rare before it: a clear, monotone rule.
                boolean churner = r.nextDouble() < (since > 7 ? 0.9 : 0.05);
                Arrays.fill(x, Float.NaN);
                x[LOGIN] = since;
                set.add(a, fromDay + d, (byte) (churner ? 1 : 0), x);
            }
        }
        return set;
    }
}
