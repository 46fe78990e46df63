package io.churnradar.propensity;

import java.time.LocalDate;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Learns a {@link ChurnModel} from labelled rows split by time: gradient-boosted trees on the earlier part
 * of the training rows, Platt calibration on the later part (a held-out slice of the training period, so
 * that calibration sees scores the trees did not fit), evaluation on the rows after the split.
 * Deterministic: a fixed seed and one thread.
 */
public final class ChurnTrainer {
    /** The settings of the trees. */
    public static final class Options {
        public int rounds = 150;
        public int maxDepth = 4;
        public double eta = 0.1;
        public long seed = 42;
        /** The share of the training days, the latest ones, held out for calibration. */
        public double calibrationShare = 0.2;
        /** The most rows to learn and evaluate on; beyond it, a sample of the accounts ({@link AccountSample}). */
        public long maxRows = AccountSample.defaultMaxRows();
    }

    private ChurnTrainer() {}

    /**
     * @param train rows whose label was known by {@code trainedUntil}
     * @param evaluate the rows of the later period (may be empty: the evaluation is then empty)
     */
    public static ChurnModel train(RowSet train, RowSet evaluate, ChurnDefinition definition, LocalDate trainedUntil, Options o) {
        if (train.size() == 0) throw new IllegalArgumentException("no training rows: the history before the split is shorter than the horizon");
        long t0 = System.nanoTime();
        long first = train.minDay(), last = train.maxDay();
        // One class only: the trees would learn a constant, and the model would score every account alike.
        if (train.positives() == 0 || train.positives() == train.size()) {
            throw new IllegalArgumentException(String.format("the %,d training rows (%s .. %s) are all %s under the label %s: a model"
                    + " learns nothing from one class. Train on a history where some accounts churn before the split and"
                    + " some stay (a longer history, or a later --until), or define churn so that they do (--label, --horizon)",
                    train.size(), LocalDate.ofEpochDay(first), LocalDate.ofEpochDay(last),
                    train.positives() == 0 ? "without churn" : "churn", definition));
        }
        long calibrationFrom = last + 1 - Math.max(1, Math.round((last - first + 1) * o.calibrationShare));
        RowSet[] parts = train.splitAtDay(calibrationFrom);
        RowSet fit = parts[0], calibrate = parts[1];
        if (fit.size() == 0 || fit.positives() == 0 || fit.positives() == fit.size()) {
            // Too little history to hold days out, or one class only before them: fit on everything.
            fit = train;
            calibrate = train;
        }
        int nf = train.width();
        try {
            Booster booster = fitTrees(fit, nf, o);
            ChurnModel.Calibration cal = platt(ChurnModel.margins(booster, calibrate.features(), calibrate.size(), nf), calibrate.labels());
            ChurnModel.Document d = new ChurnModel.Document();
            d.format = ChurnModel.FORMAT;
            d.formatVersion = ChurnModel.FORMAT_VERSION;
            d.features = new java.util.ArrayList<>(ChurnFeatures.NAMES.subList(0, nf));
            d.label = definition.toString();
            d.trainedUntil = trainedUntil.toString();
            d.calibration = cal;
            d.booster = Base64.getEncoder().encodeToString(booster.toByteArray("ubj"));
            booster.dispose();
            d.training.rows = fit.size();
            d.training.positives = fit.positives();
            d.training.rounds = o.rounds;
            d.training.maxDepth = o.maxDepth;
            d.training.eta = o.eta;
            d.training.seed = o.seed;
            d.training.firstDay = LocalDate.ofEpochDay(first).toString();
            d.training.lastDay = LocalDate.ofEpochDay(last).toString();
            ChurnModel model = new ChurnModel(d);
            d.evaluation = ModelEvaluation.of(model.probabilities(evaluate.features(), evaluate.size()), evaluate.labels());
            d.training.millis = (System.nanoTime() - t0) / 1_000_000;
            return model;
        } catch (XGBoostError e) {
            throw new IllegalStateException("training failed: " + e.getMessage(), e);
        }
    }

    private static Booster fitTrees(RowSet fit, int nf, Options o) throws XGBoostError {
        DMatrix m = new DMatrix(fit.features(), fit.size(), nf, Float.NaN);
        try {
            m.setLabel(fit.labelsAsFloats());
            Map<String, Object> p = new HashMap<>();
            p.put("objective", "binary:logistic");
            p.put("eval_metric", "logloss");
            p.put("tree_method", "hist");
            p.put("max_depth", o.maxDepth);
            p.put("eta", o.eta);
            p.put("min_child_weight", 5);
            p.put("lambda", 1.0);
            p.put("seed", o.seed);
            p.put("nthread", 1); // one thread: the same trees on every run
            p.put("verbosity", 0);
            return XGBoost.train(m, p, o.rounds, new HashMap<>(), null, null);
        } finally {
            m.dispose();
        }
    }

    /**
     * Platt scaling: the logistic regression of the labels on the margin, by Newton's method, with Platt's
     * smoothed targets so that a separable calibration set does not drive the slope to infinity.
     */
    static ChurnModel.Calibration platt(float[][] margins, byte[] y) {
        // Platt scaling as Lin, Lin and Weng (2007) made it safe: the prior-corrected targets keep the optimum finite,
        // and Newton's steps are shortened until the loss falls. Full Newton steps overshot on margins that separate
        // the classes (a calibration slope of 7e9, every probability 0 or 1). No library on the classpath fits it.
        int n = y.length;
        long pos = 0;
        for (byte v : y) pos += v;
        double hi = (pos + 1.0) / (pos + 2.0), lo = 1.0 / (n - pos + 2.0);
        double a = 0, b = Math.log((pos + 1.0) / (n - pos + 1.0));
        double loss = plattLoss(margins, y, hi, lo, a, b);
        for (int iter = 0; iter < 100; iter++) {
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (int i = 0; i < n; i++) {
                double m = margins[i][0];
                double p = ChurnModel.sigmoid(a * m + b);
                double g = p - (y[i] == 1 ? hi : lo), w = p * (1 - p);
                ga += g * m;
                gb += g;
                haa += w * m * m;
                hab += w * m;
                hbb += w;
            }
            if (Math.abs(ga) < 1e-5 && Math.abs(gb) < 1e-5) break;
            double det = haa * hbb - hab * hab;
            if (!(det > 0)) break;
            double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
            double slope = ga * da + gb * db; // negative: a direction of descent
            double step = 1;
            while (step >= 1e-10) {
                double na = a + step * da, nb = b + step * db;
                double nl = plattLoss(margins, y, hi, lo, na, nb);
                if (nl < loss + 1e-4 * step * slope) {
                    a = na;
                    b = nb;
                    loss = nl;
                    break;
                }
                step /= 2;
            }
            if (step < 1e-10) break; // no step lowers the loss: at the optimum, as far as doubles tell
        }
        ChurnModel.Calibration c = new ChurnModel.Calibration();
        c.a = Double.isFinite(a) ? a : 1;
        c.b = Double.isFinite(b) ? b : 0;
        c.rows = n;
        return c;
    }

    /** The cross-entropy of the calibrated probabilities against Platt's targets, in a form that does not overflow. */
    private static double plattLoss(float[][] margins, byte[] y, double hi, double lo, double a, double b) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double f = a * margins[i][0] + b, t = y[i] == 1 ? hi : lo;
            sum += f >= 0 ? (1 - t) * f + Math.log1p(Math.exp(-f)) : -t * f + Math.log1p(Math.exp(f));
        }
        return sum;
    }
}
