package io.churnradar.bench;

import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.BacktestSummary;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.SignalEngine;
import io.churnradar.ingest.AccountEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Prints the backtest's throughput on a generated history (default 1,000,000 events over 10,000
 * accounts) and the serialized size of one account's detection state. Not a test: run it with
 * {@code jobs/bench/backtest-benchmark.sh [events] [accounts] [parallelism]}.
 */
public final class BacktestBenchmark {
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int days = 60;

        Path dir = Files.createTempDirectory("churn-radar-bench");
        try {
            Path file = dir.resolve("history.jsonl");
            long written = SyntheticHistory.write(file, accounts, events, days, 42);
            System.out.printf("generated %,d events over %,d accounts and %d days (%,d MB)%n",
                    written, accounts, days, Files.size(file) >> 20);

            Configuration conf = new Configuration();
            conf.setString("state.backend.type", "rocksdb");
            conf.setString("pipeline.generic-types", "false");
            conf.setString("taskmanager.memory.managed.size", "512m");
            conf.setString("state.backend.rocksdb.timer-service.factory", System.getProperty("timers", "ROCKSDB"));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            BacktestSummary s = BacktestJob.run(file, dir.resolve("out"), Rules.defaults(), Duration.ofMinutes(10), parallelism, conf);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpuSecs = (os.getProcessCpuTime() - cpu0) / 1e9;
            System.out.printf("backtest: %,d lines, %,d accepted, %,d alerts, parallelism %d%n",
                    s.linesRead, s.eventsAccepted, s.alertsTotal, parallelism);
            System.out.printf("backtest: %.1f s wall, %.1f CPU-s -> %,.0f events/s, %,.0f events per CPU-second%n",
                    secs, cpuSecs, s.linesRead / secs, s.linesRead / cpuSecs);
            System.out.printf("alerts per signal: %s%n", s.alerts);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        printStateSize();
    }

    /** The state of a busy account: 14 days of usage and tickets, logins, a payment streak, open episodes. */
    static void printStateSize() throws Exception {
        SignalEngine engine = new SignalEngine(Rules.defaults());
        AccountState s = new AccountState();
        long t = java.time.Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
        for (int d = 0; d < 30; d++) {
            long day = t + d * SignalEngine.DAY_MS;
            engine.onEvent("acct-1", s, AccountEvent.login("l" + d, "acct-1", day + 3_600_000), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.usage("u" + d, "acct-1", day + 7_200_000, "reports", d < 20 ? 10 : 1), day, a -> {});
            engine.onEvent("acct-1", s, AccountEvent.ticket("t" + d, "acct-1", day + 9_000_000, "t" + d,
                    io.churnradar.events.TicketStatus.OPENED), day, a -> {});
        }
        TypeSerializer<AccountState> ser = TypeInformation.of(AccountState.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(256);
        ser.serialize(s, out);
        System.out.printf("account state: %d bytes serialized (%d day buckets), serializer %s%n",
                out.length(), s.bucketDays.length, ser.getClass().getSimpleName());
    }
}
