package io.churnradar.bench;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.config.Durations;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.detect.EventOrdering;
import io.churnradar.events.PaymentStatus;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventTimeWatermarks;
import io.churnradar.local.runtime.ExpectedFailureLogging;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.RunningJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code ./churn-radar bench --day-close}: how long the day close of N accounts takes on RocksDB in the
 * streaming job's detection operator (checkpointing as configured), and how much other traffic the job
 * works off meanwhile. Prints figures; judges none.
 *
 * <p>The input, generated in the job: every account logs in once on day D-3 (logins spread over the
 * day); one event of a clock account at D-1 00:00:05 moves event time past D-1 00:00, so every account
 * closes its first days then (a warm-up close, not measured); then the other traffic starts at D0 00:00:05,
 * a failed payment of a distinct account each (the first the clock's), which raises a PAYMENT_FAILED alert at once. Its first
 * event moves event time past D0 00:00: the measured close, one timer per account that closes day D-1.
 * With a spread ({@code eventTime.dayCloseSpread}, {@code --spread}) each account's timer fires at its offset past
 * midnight instead, as the payments move event time through the spread, so the close comes in slices between them.
 * Login recency falls by 1.5 points of score a day there, so every account publishes exactly one health
 * update dated D0 00:00: the close lasts from the first of those updates to the last (wall clock), and
 * the payment alerts made within that span are the other traffic worked off meanwhile, and the longest wait between two
 * of a subtask's payment alerts within it is the longest the close held the other traffic up (a slice of the spread, or
 * the whole close without one).
 */
public final class DayCloseBenchmark {
    static final long DAY_MS = 86_400_000L;
    /** Day D0, a Monday. */
    static final long D0 = Instant.parse("2026-03-02T00:00:00Z").toEpochMilli();
    /**
     * The job's default bound: a payment applies (and its alert comes) once event time is 5 s past it, so the traffic
     * flows while the spread's slices of closes fall due (a bound longer than the spread would hold every payment
     * until the close was over).
     */
    static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    static final String CLOSES = "dayCloseUpdates";
    static final String CLOSE_FIRST = "dayCloseFirstMs";
    static final String CLOSE_LAST = "dayCloseLastMs";
    static final String TRAFFIC = "trafficAlerts";
    static final String TRAFFIC_PER_SECOND = "trafficAlertsPerSecond";
    static final String TRAFFIC_FIRST = "trafficFirstMs";
    static final String TRAFFIC_LAST = "trafficLastMs";
    static final String TRAFFIC_PAUSES = "trafficPauses";
    /** A wait between two payment alerts of a subtask this long or longer is recorded as a pause. */
    static final long PAUSE_MS = 50;

    /**
     * @param spread the detector's {@code eventTime.dayCloseSpread} (zero: every account's timer at midnight)
     * @param flinkSettings Flink settings of the job over config.yaml's (bench's {@code --flink-setting})
     */
    public record Settings(int accounts, int otherEvents, int parallelism, Path flinkConf, Duration timeout, Duration spread,
            Map<String, String> flinkSettings) {
        public Settings {
            flinkSettings = Map.copyOf(flinkSettings);
        }
    }

    /**
     * The figures. {@code trafficDuringClose} counts the alerts made between the first and the last update
     * of the close; rates are per wall-clock second; {@code longestPauseSeconds} is the longest wait between two payment
     * alerts of one subtask within the close, or from the close's start to the subtask's first (0 when none was
     * {@value #PAUSE_MS} ms or longer).
     */
    public record Result(int accounts, Duration spread, long closeUpdates, double closeSeconds, long otherEvents, long trafficDuringClose,
            double trafficRateDuringClose, double trafficRateOverall, double longestPauseSeconds, double cpuSeconds, boolean complete) {
        public String text() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("Day close of %,d accounts on RocksDB (checkpointing): %,d accounts published their close%n",
                    accounts, closeUpdates));
            b.append(String.format("  spread              %s of event time (eventTime.dayCloseSpread)%n",
                    spread.isZero() ? "none, every close at midnight" : Durations.format(spread)));
            b.append(String.format("  close               %.1f s, first to last update of the close (%,.0f accounts/s)%n",
                    closeSeconds, closeSeconds > 0 ? closeUpdates / closeSeconds : 0));
            b.append(String.format("  other traffic       %,d of %,d events worked off during the close: %,.0f events/s"
                    + " (%,.0f events/s over all the traffic)%n", trafficDuringClose, otherEvents, trafficRateDuringClose, trafficRateOverall));
            b.append(String.format("  longest pause       %.2f s between two payment alerts of a subtask during the close%n", longestPauseSeconds));
            b.append(String.format("  process CPU         %.1f CPU-s for the whole run (load, warm-up close, close, traffic)%n", cpuSeconds));
            BenchReport.Machine mc = BenchReport.Machine.current();
            b.append(String.format("  machine             %d cores, %s, max heap %,d MB, load average %.1f at the end%n", mc.cores(), mc.java(),
                    mc.maxHeapBytes() >> 20, mc.loadAverage()));
            if (!complete) b.append("  INCOMPLETE: the run stopped at the timeout before every account or event was seen\n");
            return b.toString();
        }
    }

    private final Settings settings;
    private final PrintStream progress;

    public DayCloseBenchmark(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run() throws Exception {
        int n = settings.accounts();
        int m = settings.otherEvents();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        // The input is bounded: a checkpoint triggered while its reader finishes is declined (the task is closing), which
        // Flink logs as a warning with a stack among the progress lines. Nothing is lost: the next checkpoint completes.
        ExpectedFailureLogging.quietDeclinedCheckpoints();
        try (LocalFlink flink = LocalFlink.start(settings.flinkConf(), false, true, settings.parallelism())) {
            if (!settings.flinkSettings().isEmpty()) progress.printf("Flink settings over the cluster's: %s%n", settings.flinkSettings());
            StreamExecutionEnvironment env = flink.environment(settings.flinkSettings());
            env.setParallelism(settings.parallelism());
            env.getConfig().enableObjectReuse();
            // One reader, so the input's order is the order of event time: accounts' logins, the clock, then the traffic.
            DataStream<AccountEvent> events = env.fromSource(new NumberSequenceSource(0, (long) n + m), WatermarkStrategy.noWatermarks(),
                            "Generated day")
                    .uid("day-close-input").setParallelism(1)
                    .map(new Generate(n, m, settings.spread())).returns(TypeInformation.of(AccountEvent.class))
                    .uid("day-close-events").name("Logins, clock, payments").setParallelism(1)
                    .assignTimestampsAndWatermarks(EventTimeWatermarks.forEvents(MAX_OUT_OF_ORDERNESS))
                    .uid("event-time").name("Event time").setParallelism(1);
            SingleOutputStreamOperator<RiskAlert> alerts = ChurnPipeline.detect(events, Rules.defaults(), Duration.ofDays(90),
                    EventOrdering.defaults().withDayCloseSpread(settings.spread()));
            alerts.filter(new TrafficProbe()).uid("traffic-probe").name("Traffic probe")
                    .sinkTo(new DiscardingSink<>()).name("Discard alerts");
            alerts.getSideOutput(ChurnDetector.HEALTH).filter(new CloseProbe()).uid("close-probe").name("Close probe")
                    .sinkTo(new DiscardingSink<>()).name("Discard health");
            alerts.getSideOutput(ChurnDetector.COMMANDS).sinkTo(new DiscardingSink<>()).name("Discard decisions");
            alerts.getSideOutput(ChurnDetector.OUTCOMES).sinkTo(new DiscardingSink<>()).name("Discard outcomes");

            long cpu0 = os.getProcessCpuTime();
            JobClient job = env.executeAsync("churn-radar-bench-day-close");
            progress.printf("Day close of %,d accounts, %,d events of other traffic, parallelism %d, spread %s ...%n", n, m,
                    settings.parallelism(), Durations.format(settings.spread()));
            long deadline = System.nanoTime() + settings.timeout().toNanos();
            Map<String, Object> acc = Map.of();
            long lastPrinted = System.nanoTime();
            boolean complete = false;
            while (System.nanoTime() < deadline) {
                acc = job.getAccumulators().get(60, TimeUnit.SECONDS);
                if (number(acc.get(CLOSES)) >= n && number(acc.get(TRAFFIC)) >= m) {
                    complete = true;
                    break;
                }
                JobStatus status = job.getJobStatus().get(60, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) {
                    acc = job.getJobExecutionResult().get().getAllAccumulatorResults();
                    complete = number(acc.get(CLOSES)) >= n && number(acc.get(TRAFFIC)) >= m;
                    break;
                }
                if (System.nanoTime() - lastPrinted > 10_000_000_000L) {
                    lastPrinted = System.nanoTime();
                    progress.printf("  %,d of %,d accounts closed, %,d of %,d payment alerts%n", number(acc.get(CLOSES)), n,
                            number(acc.get(TRAFFIC)), m);
                }
                Thread.sleep(1000);
            }
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            // What remains after the measured span (the end of the input closes every later day) measures nothing.
            new RunningJob(job).close();
            return result(acc, n, m, cpu, complete, settings.spread());
        }
    }

    @SuppressWarnings("unchecked")
    static Result result(Map<String, Object> acc, int n, int m, double cpu, boolean complete, Duration spread) {
        long closes = number(acc.get(CLOSES));
        long first = number(acc.get(CLOSE_FIRST));
        long last = number(acc.get(CLOSE_LAST));
        double closeSeconds = closes > 0 ? (last - first) / 1000.0 : 0;
        Map<Integer, Integer> perSecond = acc.get(TRAFFIC_PER_SECOND) instanceof Map<?, ?> h ? (Map<Integer, Integer>) h : new TreeMap<>();
        // Alerts within the seconds the close spans, the partial first and last seconds pro rata.
        double during = 0;
        if (closes > 0) {
            for (Map.Entry<Integer, Integer> e : perSecond.entrySet()) {
                long from = e.getKey() * 1000L;
                long overlap = Math.min(from + 1000, last) - Math.max(from, first);
                if (overlap > 0) during += e.getValue() * (overlap / 1000.0);
            }
        }
        long traffic = number(acc.get(TRAFFIC));
        double trafficSpan = (number(acc.get(TRAFFIC_LAST)) - number(acc.get(TRAFFIC_FIRST))) / 1000.0;
        // The part of each recorded pause within the close.
        long longestPause = 0;
        if (closes > 0 && acc.get(TRAFFIC_PAUSES) instanceof List<?> pauses) {
            for (Object p : pauses) {
                if (p instanceof long[] fromTo && fromTo.length == 2) {
                    longestPause = Math.max(longestPause, Math.min(fromTo[1], last) - Math.max(fromTo[0], first));
                }
            }
        }
        return new Result(n, spread, closes, closeSeconds, m, Math.round(during), closeSeconds > 0 ? during / closeSeconds : 0,
                trafficSpan > 0 ? traffic / trafficSpan : 0, longestPause / 1000.0, cpu, complete);
    }

    private static long number(Object v) {
        return v instanceof Number x ? x.longValue() : 0;
    }

    /**
     * Sequence number to event: n logins on D-3, the clock at D-1 00:00:05, then the payments from D0 00:00:05, 10 ms of
     * event time apart, or further apart when that is needed for them to span the spread and a minute more (each
     * watermark then makes due only the closes of one slice of the spread, between payments).
     */
    static final class Generate implements MapFunction<Long, AccountEvent> {
        private static final long serialVersionUID = 1L;
        private final int accounts;
        private final long paymentStepMs;

        Generate(int accounts, int payments, Duration spread) {
            this.accounts = accounts;
            this.paymentStepMs = Math.max(10L, (spread.toMillis() + 60_000L) / Math.max(1, payments));
        }

        @Override
        public AccountEvent map(Long seq) {
            long i = seq;
            if (i < accounts) {
                // From 00:30 to 23:30 of D-3, in order.
                long at = D0 - 3 * DAY_MS + 1_800_000 + i * (23 * 3_600_000L) / accounts;
                return AccountEvent.login("l-" + i, "acct-" + i, at);
            }
            if (i == accounts) return AccountEvent.login("clock", "bench-clock", D0 - DAY_MS + MAX_OUT_OF_ORDERNESS.toMillis() + 1);
            long k = i - accounts - 1;
            long at = D0 + MAX_OUT_OF_ORDERNESS.toMillis() + 1 + k * paymentStepMs;
            // The first payment reaches its account before the watermark it moves: the clock's, so that every
            // account closes D-1 on its timer and dates that update D0 00:00.
            return AccountEvent.payment("p-" + k, k == 0 ? "bench-clock" : "acct-" + k, at, PaymentStatus.FAILED);
        }
    }

    /** Counts the health updates of the measured close (dated D0 00:00) with the wall-clock times of the first and last. */
    static final class CloseProbe extends RichFilterFunction<AccountHealth> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter closes;
        private transient LongMinimum first;
        private transient LongMaximum last;

        @Override
        public void open(OpenContext ctx) {
            closes = new LongCounter();
            first = new LongMinimum();
            last = new LongMaximum();
            getRuntimeContext().addAccumulator(CLOSES, closes);
            getRuntimeContext().addAccumulator(CLOSE_FIRST, first);
            getRuntimeContext().addAccumulator(CLOSE_LAST, last);
        }

        @Override
        public boolean filter(AccountHealth h) {
            if (h.getAsOf().toEpochMilli() == D0 && !h.getAccountId().equals("bench-clock")) {
                long now = System.currentTimeMillis();
                closes.add(1);
                first.add(now);
                last.add(now);
            }
            return false;
        }
    }

    /**
     * Counts the payment alerts, the other traffic, per wall-clock second, and records the subtask's pauses: each wait of
     * {@value #PAUSE_MS} ms or longer between two of its alerts (or before its first), as its wall-clock start and end.
     */
    static final class TrafficProbe extends RichFilterFunction<RiskAlert> {
        private static final long serialVersionUID = 1L;
        private transient ListAccumulator<long[]> pauses;
        private transient long lastAlertAt;
        private transient LongCounter alerts;
        private transient Histogram perSecond;
        private transient LongMinimum first;
        private transient LongMaximum last;

        @Override
        public void open(OpenContext ctx) {
            alerts = new LongCounter();
            perSecond = new Histogram();
            first = new LongMinimum();
            last = new LongMaximum();
            getRuntimeContext().addAccumulator(TRAFFIC, alerts);
            getRuntimeContext().addAccumulator(TRAFFIC_PER_SECOND, perSecond);
            getRuntimeContext().addAccumulator(TRAFFIC_FIRST, first);
            getRuntimeContext().addAccumulator(TRAFFIC_LAST, last);
            pauses = new ListAccumulator<>();
            getRuntimeContext().addAccumulator(TRAFFIC_PAUSES, pauses);
        }

        @Override
        public boolean filter(RiskAlert a) {
            if (a.getSignal().equals("PAYMENT_FAILED") && a.getDetectedAt().toEpochMilli() >= D0) {
                long now = System.currentTimeMillis();
                // Before the subtask's first alert the pause runs from the start (0): payments held since the close began wait too.
                if (now - lastAlertAt >= PAUSE_MS) pauses.add(new long[] {lastAlertAt, now});
                lastAlertAt = now;
                alerts.add(1);
                perSecond.add((int) (now / 1000));
                first.add(now);
                last.add(now);
            }
            return false;
        }
    }
}
