package io.churnradar.report;

import java.util.ArrayList;
import java.util.List;

/**
 * How good a churn model's probabilities are against the labels: Brier score, reliability curve, lift by
 * decile and precision/recall at thresholds, over scored rows (an account at an instant). The backtest
 * builds it from {@code scores.jsonl} with a {@link Tally}; {@code train} can feed its evaluation rows to
 * a tally too, or hand in its own figures through the constructor.
 */
public record ModelEvaluation(String source, long rows, long positives, double brier, List<ReliabilityBin> reliability,
        List<Decile> lift, List<AtThreshold> thresholds) {

    /** Rows whose probability fell in [low, high): their mean probability and the share that churned. */
    public record ReliabilityBin(double low, double high, long rows, double meanPredicted, double observed) {}

    /** The rows of one tenth by descending probability (1 = riskiest): their churn rate and its ratio to the overall rate. */
    public record Decile(int decile, double rows, double churnRate, double lift) {}

    /** Rows at or above a threshold: precision (share that churned) and recall (share of churned rows flagged); null when undefined. */
    public record AtThreshold(double threshold, long flagged, Double precision, Double recall) {}

    static final double[] THRESHOLDS = {0.3, 0.5, 0.7};

    /** The figures a trained model carries (train's evaluation on its later period), for train's report. */
    public static ModelEvaluation of(io.churnradar.propensity.ModelEvaluation e, String source) {
        List<ReliabilityBin> bins = e.reliability.stream()
                .map(b -> new ReliabilityBin(b.from, b.to, b.rows, b.meanPredicted, b.observedRate)).toList();
        List<Decile> deciles = e.lift.stream().map(d -> new Decile(d.decile, d.rows, d.churnRate, d.lift)).toList();
        List<AtThreshold> at = e.thresholds.stream()
                .map(t -> new AtThreshold(t.threshold, t.flagged, t.flagged == 0 ? null : t.precision, e.positives == 0 ? null : t.recall))
                .toList();
        return new ModelEvaluation(source, e.rows, e.positives, e.brier, bins, deciles, at);
    }

    /**
     * Accumulates (probability, churned) pairs in fixed bins: memory does not grow with the rows, and
     * deciles are cut from a histogram of 1,000 bins (a bin straddling a cut is shared out in proportion).
     */
    public static final class Tally {
        private static final int FINE = 1000;
        private static final int COARSE = 10;
        private final long[] count = new long[FINE];
        private final long[] churned = new long[FINE];
        private final double[] sumP = new double[FINE];
        private double sumSquaredError;
        private long rows;
        private long positives;

        /** One scored row; probabilities outside [0, 1] or NaN are ignored (counted by the caller). */
        public boolean add(double probability, boolean churnedWithinHorizon) {
            if (!(probability >= 0 && probability <= 1)) return false;
            int bin = Math.min(FINE - 1, (int) Math.floor(probability * FINE));
            count[bin]++;
            sumP[bin] += probability;
            double y = churnedWithinHorizon ? 1 : 0;
            if (churnedWithinHorizon) {
                churned[bin]++;
                positives++;
            }
            rows++;
            sumSquaredError += (probability - y) * (probability - y);
            return true;
        }

        public long rows() {
            return rows;
        }

        /** The evaluation, or null without rows. */
        public ModelEvaluation evaluation(String source) {
            if (rows == 0) return null;
            return new ModelEvaluation(source, rows, positives, sumSquaredError / rows, reliability(), lift(), thresholds());
        }

        private List<ReliabilityBin> reliability() {
            List<ReliabilityBin> bins = new ArrayList<>();
            int per = FINE / COARSE;
            for (int b = 0; b < COARSE; b++) {
                long n = 0, y = 0;
                double p = 0;
                for (int i = b * per; i < (b + 1) * per; i++) {
                    n += count[i];
                    y += churned[i];
                    p += sumP[i];
                }
                if (n > 0) bins.add(new ReliabilityBin((double) b / COARSE, (double) (b + 1) / COARSE, n, p / n, (double) y / n));
            }
            return bins;
        }

        private List<Decile> lift() {
            double overall = (double) positives / rows;
            double[] n = new double[COARSE];
            double[] y = new double[COARSE];
            double size = (double) rows / COARSE;
            double ranked = 0; // rows placed so far, riskiest first
            for (int i = FINE - 1; i >= 0; i--) {
                double left = count[i];
                double rate = count[i] == 0 ? 0 : (double) churned[i] / count[i];
                while (left > 1e-9) {
                    int d = Math.min(COARSE - 1, (int) Math.floor(ranked / size + 1e-9));
                    double room = d == COARSE - 1 ? left : Math.min(left, (d + 1) * size - ranked);
                    n[d] += room;
                    y[d] += room * rate;
                    ranked += room;
                    left -= room;
                }
            }
            List<Decile> out = new ArrayList<>();
            for (int d = 0; d < COARSE; d++) {
                double r = n[d] == 0 ? 0 : y[d] / n[d];
                out.add(new Decile(d + 1, n[d], r, overall == 0 ? 0 : r / overall));
            }
            return out;
        }

        private List<AtThreshold> thresholds() {
            List<AtThreshold> out = new ArrayList<>();
            for (double t : THRESHOLDS) {
                long flagged = 0, hits = 0;
                for (int i = (int) Math.round(t * FINE); i < FINE; i++) {
                    flagged += count[i];
                    hits += churned[i];
                }
                out.add(new AtThreshold(t, flagged, flagged == 0 ? null : (double) hits / flagged,
                        positives == 0 ? null : (double) hits / positives));
            }
            return out;
        }
    }
}
