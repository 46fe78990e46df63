package io.churnradar.propensity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How good a model is on rows it did not learn from: ranking (AUC), calibration (Brier score, log loss,
 * reliability bins), precision and recall at thresholds, and lift by decile. Plain data: it travels in the
 * model artefact as JSON (public fields, for Jackson).
 */
public final class ModelEvaluation implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public static final double[] THRESHOLDS = {0.3, 0.5, 0.7};

    public long rows;
    public long positives;
    public double baseRate;
    public double auc;
    public double brier;
    public double logLoss;
    public List<AtThreshold> thresholds = new ArrayList<>();
    /** Decile 1 holds the 10% highest scores: its churn rate over the base rate. */
    public List<Decile> lift = new ArrayList<>();
    public List<Bin> reliability = new ArrayList<>();

    public static final class AtThreshold implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public double threshold;
        public long flagged;
        public double precision;
        public double recall;
    }

    public static final class Decile implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public int decile;
        public long rows;
        public double churnRate;
        public double lift;
    }

    public static final class Bin implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public double from;
        public double to;
        public long rows;
        public double meanPredicted;
        public double observedRate;
    }

    /** Evaluates probabilities {@code p} against labels {@code y} (1 churn, 0 not). */
    public static ModelEvaluation of(double[] p, byte[] y) {
        if (p.length != y.length) throw new IllegalArgumentException("predictions and labels differ in length");
        ModelEvaluation e = new ModelEvaluation();
        int n = p.length;
        e.rows = n;
        for (byte b : y) e.positives += b;
        if (n == 0) return e;
        e.baseRate = (double) e.positives / n;
        double brier = 0, logLoss = 0;
        for (int i = 0; i < n; i++) {
            brier += (p[i] - y[i]) * (p[i] - y[i]);
            double q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
            logLoss -= y[i] == 1 ? Math.log(q) : Math.log(1 - q);
        }
        e.brier = brier / n;
        e.logLoss = logLoss / n;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a])); // highest first
        e.auc = auc(p, y, order, e.positives);
        for (double t : THRESHOLDS) {
            AtThreshold a = new AtThreshold();
            a.threshold = t;
            long tp = 0;
            for (int i = 0; i < n; i++) {
                if (p[i] >= t) {
                    a.flagged++;
                    tp += y[i];
                }
            }
            a.precision = a.flagged == 0 ? Double.NaN : (double) tp / a.flagged;
            a.recall = e.positives == 0 ? Double.NaN : (double) tp / e.positives;
            e.thresholds.add(a);
        }
        for (int d = 0; d < 10; d++) {
            int from = (int) ((long) n * d / 10), to = (int) ((long) n * (d + 1) / 10);
            Decile dec = new Decile();
            dec.decile = d + 1;
            dec.rows = to - from;
            long pos = 0;
            for (int k = from; k < to; k++) pos += y[order[k]];
            dec.churnRate = dec.rows == 0 ? Double.NaN : (double) pos / dec.rows;
            dec.lift = e.baseRate == 0 ? Double.NaN : dec.churnRate / e.baseRate;
            e.lift.add(dec);
        }
        for (int b = 0; b < 10; b++) {
            Bin bin = new Bin();
            bin.from = b / 10.0;
            bin.to = (b + 1) / 10.0;
            double sumP = 0;
            long pos = 0;
            for (int i = 0; i < n; i++) {
                if (p[i] >= bin.from && (p[i] < bin.to || b == 9)) {
                    bin.rows++;
                    sumP += p[i];
                    pos += y[i];
                }
            }
            bin.meanPredicted = bin.rows == 0 ? Double.NaN : sumP / bin.rows;
            bin.observedRate = bin.rows == 0 ? Double.NaN : (double) pos / bin.rows;
            e.reliability.add(bin);
        }
        return e;
    }

    /** Area under the ROC curve, ties counted half (the Mann-Whitney statistic). */
    private static double auc(double[] p, byte[] y, Integer[] highestFirst, long positives) {
        long negatives = p.length - positives;
        if (positives == 0 || negatives == 0) return Double.NaN;
        // Walk from the lowest score up, in groups of equal scores.
        double sum = 0;
        long negBelow = 0;
        int k = p.length - 1;
        while (k >= 0) {
            int j = k;
            long pos = 0, neg = 0;
            while (j >= 0 && p[highestFirst[j]] == p[highestFirst[k]]) {
                if (y[highestFirst[j]] == 1) pos++;
                else neg++;
                j--;
            }
            sum += pos * (negBelow + neg / 2.0);
            negBelow += neg;
            k = j;
        }
        return sum / ((double) positives * negatives);
    }

    /** A few lines for a terminal. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        // A constant forecast of the churn rate scores rate * (1 - rate): a model's probabilities are worth reading only below it.
        double constant = baseRate * (1 - baseRate);
        b.append(String.format("rows %d, churn rate %.3f, AUC %s, Brier %.4f (%.4f for the churn rate alone), log loss %.4f%s%n", rows,
                baseRate, figure(auc), brier, constant, logLoss,
                rows == 0 ? "" : positives == 0 ? " (no churn in these rows: AUC and recall cannot be measured)"
                        : positives == rows ? " (every row churns: AUC cannot be measured)" : ""));
        if (rows > 0 && positives > 0 && positives < rows && brier >= constant) {
            b.append(String.format("  note: on this period the probabilities are no closer than the churn rate alone (Brier %.4f >= %.4f):"
                    + " rank accounts by them (AUC), do not read them as chances%n", brier, constant));
        }
        for (AtThreshold t : thresholds) {
            b.append(String.format("  p >= %.1f: %d flagged, precision %s, recall %s%n", t.threshold, t.flagged, figure(t.precision), figure(t.recall)));
        }
        b.append("  lift by decile:");
        for (Decile d : lift) b.append(String.format(" %.2f", d.lift));
        b.append(String.format("%n  reliability (predicted -> observed, rows):"));
        for (Bin bin : reliability) {
            if (bin.rows > 0) b.append(String.format(" %.2f->%.2f (%d)", bin.meanPredicted, bin.observedRate, bin.rows));
        }
        return b.append(String.format("%n")).toString();
    }

    /** A ratio with three decimals, or "-" where it has no denominator (nothing flagged, no churn). */
    public static String figure(double ratio) {
        return Double.isNaN(ratio) ? "-" : String.format("%.3f", ratio);
    }

    /** The headline figures, for a summary file. */
    public Map<String, Object> headline() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("auc", auc);
        m.put("brier", brier);
        m.put("logLoss", logLoss);
        return m;
    }
}
