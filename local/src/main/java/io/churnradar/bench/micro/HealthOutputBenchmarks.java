package io.churnradar.bench.micro;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.alerts.HealthTier;
import io.churnradar.backtest.results.BacktestOutputs;
import io.churnradar.backtest.results.ExternalSort;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.local.runtime.ScratchDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The backtest's output path for health updates, in nanoseconds per update: a backtest writes about two for every
 * three events (a typical account's score moves a little every day), so this is on its hot path as much as the
 * detection. {@link #healthLine} writes the line of {@code health.jsonl}; {@link #healthLineToRuns} writes it and
 * adds it to the sorted runs the way the backtest's health sink does (the changes sorted by time and account, each
 * account's last line kept on the side), spills included, in runs of the sink's default 16 MB. The updates are 4,096
 * of 1,000 accounts with the default score's six components; {@link #control} consumes a prebuilt one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
// Longer warm-up than the hot path's: the line's score fell from 1,300 to 480 ns over its first five seconds.
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class HealthOutputBenchmarks {
    private static final int UPDATES = 4_096;
    private static final long RUN_BYTES = 16L * 1024 * 1024;

    private AccountHealth[] updates;
    private int next;
    private Path scratch;
    private ExternalSort.RunWriter changes;
    private ExternalSort.RunWriter last;

    @Setup(Level.Trial)
    public void setUp() {
        String[] names = {"usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment"};
        double[] weights = {25, 20, 15, 15, 15, 10};
        Random r = new Random(5);
        updates = new AccountHealth[UPDATES];
        long day = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
        for (int i = 0; i < UPDATES; i++) {
            List<HealthComponent> components = new ArrayList<>(names.length);
            double sum = 0;
            for (int c = 0; c < names.length; c++) {
                double value = Math.round(r.nextDouble() * 1000) / 10.0;
                double contribution = Math.round(value * weights[c]) / 100.0;
                sum += contribution;
                components.add(new HealthComponent(names[c], value, weights[c], contribution));
            }
            int score = (int) Math.round(sum);
            HealthTier tier = score >= 75 ? HealthTier.GREEN : score >= 50 ? HealthTier.YELLOW : HealthTier.RED;
            long asOf = day + (i / 1_000) * 86_400_000L + (r.nextBoolean() ? 0 : r.nextInt(86_400_000));
            updates[i] = new AccountHealth("acct-" + r.nextInt(1_000), score, tier, components, Instant.ofEpochMilli(asOf), "default-1",
                    null, null, List.of());
        }
    }

    @Setup(Level.Iteration)
    public void newRuns() throws IOException {
        scratch = Files.createTempDirectory("churn-radar-health-bench-");
        // As the health sink pairs its streams (BacktestOutputs.HEALTH_CHANGES marking the last of key part 1, the account).
        last = new ExternalSort.RunWriter(scratch, "health-last-00000", RUN_BYTES);
        changes = new ExternalSort.RunWriter(scratch, "health-changes-00000", RUN_BYTES).keepingLastOf(1, last);
    }

    /** The runs an iteration spilled, removed with their folder: the benchmark writes hundreds of megabytes a second. */
    @TearDown(Level.Iteration)
    public void dropRuns() throws IOException {
        try {
            changes.finish();
            last.finish();
        } finally {
            ScratchDir.deleteRecursively(scratch);
        }
    }

    private AccountHealth nextUpdate() {
        AccountHealth h = updates[next];
        next = (next + 1) % UPDATES;
        return h;
    }

    @Benchmark
    public void control(Blackhole bh) {
        bh.consume(nextUpdate());
    }

    @Benchmark
    public String healthLine() {
        return HealthJson.toJson(nextUpdate(), false);
    }

    @Benchmark
    public void healthLineToRuns() throws IOException {
        changes.add(BacktestOutputs.healthChange(nextUpdate()));
    }
}
