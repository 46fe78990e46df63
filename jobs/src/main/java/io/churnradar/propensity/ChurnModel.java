package io.churnradar.propensity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.churnradar.detect.AccountState;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained churn propensity model, the versioned artefact {@code train} writes and the stream loads: its
 * format version, the feature list, the label definition, the day it was trained until, the Platt
 * calibration, its evaluation on the later period and the trees (XGBoost's UBJSON model, base64). One JSON
 * document, so it can be read, diffed and published as it is.
 *
 * <p>Usable inside a Flink operator: Serializable; the native booster is transient and rebuilt from its
 * bytes on first use in each JVM.
 */
public final class ChurnModel implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String FORMAT = "churn-radar-propensity";
    public static final int FORMAT_VERSION = 1;
    /** Contributions reported per score. */
    public static final int TOP_CONTRIBUTIONS = 3;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // a later minor version may add fields
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** The stored form (public fields for Jackson). */
    public static final class Document implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Unset in a document that does not say it: such a document is refused. */
        public String format;
        public int formatVersion;
        public List<String> features = new ArrayList<>();
        /** The churn definition, resolved: {@code inactivity:90d}. */
        public String label;
        /** Training rows are day closes whose label was known by this day (ISO date, UTC). */
        public String trainedUntil;
        public Calibration calibration = new Calibration();
        public ModelEvaluation evaluation;
        public Training training = new Training();
        /** XGBoost's model in UBJSON, base64. */
        public String booster;
    }

    /** Platt scaling of the trees' margin m: p = 1 / (1 + exp(-(a m + b))). */
    public static final class Calibration implements Serializable {
        private static final long serialVersionUID = 1L;
        public String method = "platt";
        public double a = 1;
        public double b = 0;
        public long rows;
    }

    /** How the trees were grown, for the record. */
    public static final class Training implements Serializable {
        private static final long serialVersionUID = 1L;
        public long rows;
        public long positives;
        public int rounds;
        public int maxDepth;
        public double eta;
        public long seed;
        public String firstDay;
        public String lastDay;
        public long millis;
        /** The share of the history's accounts whose rows trained and evaluated the model: 1, or less beyond --max-rows. */
        public double accountShare = 1;
    }

    private final Document doc;
    private final byte[] boosterBytes;
    private final ChurnDefinition definition;
    private transient Booster booster;

    ChurnModel(Document doc) {
        if (doc == null) throw new IllegalArgumentException("not a churn propensity model: empty");
        if (!FORMAT.equals(doc.format)) throw new IllegalArgumentException("not a churn propensity model: format '" + doc.format + "'");
        if (doc.formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("model format version " + doc.formatVersion + " is not supported (this version reads " + FORMAT_VERSION + ")");
        }
        if (doc.features == null || doc.features.isEmpty() || doc.features.size() > ChurnFeatures.COUNT
                || !ChurnFeatures.NAMES.subList(0, doc.features.size()).equals(doc.features)) {
            throw new IllegalArgumentException("the model's features " + doc.features + " are not those this version extracts " + ChurnFeatures.NAMES);
        }
        if (doc.booster == null) throw new IllegalArgumentException("the model has no trees");
        if (doc.calibration == null || !Double.isFinite(doc.calibration.a) || !Double.isFinite(doc.calibration.b)) {
            throw new IllegalArgumentException("the model's calibration is missing or not finite");
        }
        this.doc = doc;
        this.definition = ChurnDefinition.parse(doc.label);
        try {
            this.boosterBytes = Base64.getDecoder().decode(doc.booster);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the model's trees are not base64: " + e.getMessage());
        }
    }

    /** Reads a model; IllegalArgumentException says what is wrong with it. */
    public static ChurnModel fromBytes(byte[] bytes) {
        Document d;
        try {
            d = JSON.readValue(bytes, Document.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The parser's own words and place, without its note on the source it was told not to show.
            throw new IllegalArgumentException("not a churn propensity model: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a churn propensity model: " + e.getMessage());
        }
        ChurnModel m = new ChurnModel(d);
        m.booster(); // trees that do not load are a bad model, found now rather than at the first score
        return m;
    }

    public static ChurnModel read(Path path) throws IOException {
        return fromBytes(Files.readAllBytes(path));
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".model", ".tmp");
        try {
            Files.write(tmp, toBytes());
            Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @JsonIgnore
    public List<String> features() {
        return List.copyOf(doc.features);
    }

    public ChurnDefinition definition() {
        return definition;
    }

    public String trainedUntil() {
        return doc.trainedUntil;
    }

    public ModelEvaluation evaluation() {
        return doc.evaluation;
    }

    public Calibration calibration() {
        return doc.calibration;
    }

    public Training training() {
        return doc.training;
    }

    /** The churn score of an account at a day close (see {@link ChurnFeatures#extract}). */
    public ChurnScore score(AccountState s, long dayCloseAt) {
        float[] all = ChurnFeatures.extract(s, dayCloseAt);
        return score(all.length == doc.features.size() ? all : java.util.Arrays.copyOf(all, doc.features.size()));
    }

    /** The score of a feature vector in the model's feature order. */
    public ChurnScore score(float[] x) {
        int nf = doc.features.size();
        if (x.length != nf) throw new IllegalArgumentException("expected " + nf + " features, got " + x.length);
        float margin;
        float[] contrib;
        try {
            Booster b = booster();
            DMatrix m = new DMatrix(x, 1, nf, Float.NaN);
            try {
                margin = b.predict(m, true, 0)[0][0];
                contrib = b.predictContrib(m, 0)[0];
            } finally {
                m.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("scoring failed: " + e.getMessage(), e);
        }
        double a = doc.calibration.a;
        double p = sigmoid(a * margin + doc.calibration.b);
        // The contributions add up to the margin (the last entry is the bias); Platt scales them by a.
        List<ChurnScore.Contribution> top = new ArrayList<>();
        Integer[] idx = new Integer[nf];
        for (int i = 0; i < nf; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (i, j) -> Float.compare(contrib[j] * (float) Math.signum(a), contrib[i] * (float) Math.signum(a)));
        for (int k = 0; k < nf && top.size() < TOP_CONTRIBUTIONS; k++) {
            double c = a * contrib[idx[k]];
            if (c <= 0) break;
            top.add(new ChurnScore.Contribution(doc.features.get(idx[k]), x[idx[k]], c));
        }
        return new ChurnScore(p, List.copyOf(top));
    }

    /** Calibrated probabilities of many rows ({@code n} x features, row-major). */
    public double[] probabilities(float[] rows, int n) {
        float[][] margins = margins(booster(), rows, n, doc.features.size());
        double[] p = new double[n];
        for (int i = 0; i < n; i++) p[i] = sigmoid(doc.calibration.a * margins[i][0] + doc.calibration.b);
        return p;
    }

    static float[][] margins(Booster b, float[] rows, int n, int nf) {
        if (n == 0) return new float[0][];
        try {
            DMatrix m = new DMatrix(rows, n, nf, Float.NaN);
            try {
                return b.predict(m, true, 0);
            } finally {
                m.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("prediction failed: " + e.getMessage(), e);
        }
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private synchronized Booster booster() {
        if (booster == null) {
            try {
                Booster b = XGBoost.loadModel(boosterBytes);
                // One row at a time on the operator's own thread: a pool of threads per score costs far more than it saves.
                b.setParam("nthread", "1");
                booster = b;
            } catch (XGBoostError | IOException e) {
                throw new IllegalArgumentException("the model's trees do not load: " + e.getMessage(), e);
            }
        }
        return booster;
    }

    Document document() {
        return doc;
    }
}
