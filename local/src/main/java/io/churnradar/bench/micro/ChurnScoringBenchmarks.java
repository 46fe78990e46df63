package io.churnradar.bench.micro;

import io.churnradar.detect.AccountState;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnFeatures;
import io.churnradar.propensity.ChurnModel;
import io.churnradar.propensity.ChurnScore;
import io.churnradar.propensity.ChurnTrainer;
import io.churnradar.propensity.RowSet;
import java.time.LocalDate;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What CHURN_RISK costs per account at a day close, in microseconds: the features read from a typical
 * account's state ({@link #features}), and the whole score ({@link #score}: features, the trees' margin and
 * their per-feature contributions, calibration, the top three). The model has the trainer's default size
 * (150 rounds of depth 4) over every feature, trained in the setup on synthetic rows.
 * {@code ./churn-radar bench --micro --jmh "ChurnScoring"} runs it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class ChurnScoringBenchmarks {
    private ChurnModel model;
    private AccountState state;

    @Setup(Level.Trial)
    public void setUp() {
        state = TypicalAccount.state(TypicalAccount.engine());
        model = defaultSizedModel();
    }

    /** A model of the trainer's default size: every feature carries some signal, so the trees use them all. */
    static ChurnModel defaultSizedModel() {
        Random r = new Random(7);
        int nf = ChurnFeatures.COUNT;
        RowSet rows = new RowSet(nf);
        long start = LocalDate.parse("2026-01-01").toEpochDay();
        float[] x = new float[nf];
        for (int d = 0; d < 60; d++) {
            for (int a = 0; a < 200; a++) {
                double z = 0;
                for (int i = 0; i < nf; i++) {
                    x[i] = (float) (r.nextGaussian() * 10);
                    z += (i % 3 == 0 ? 0.05 : -0.02) * x[i];
                }
                rows.add(a, start + d, (byte) (r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0), x);
            }
        }
        RowSet[] split = rows.splitAtDay(start + 50);
        return ChurnTrainer.train(split[0], split[1], ChurnDefinition.DEFAULT.resolve(false), LocalDate.parse("2026-02-20"),
                new ChurnTrainer.Options());
    }

    @Benchmark
    public float[] features() {
        return ChurnFeatures.extract(state, TypicalAccount.NEXT_DAY);
    }

    @Benchmark
    public ChurnScore score() {
        return model.score(state, TypicalAccount.NEXT_DAY);
    }
}
