package io.churnradar.local.command;

import io.churnradar.local.TestTmp;
import io.churnradar.local.runtime.ChurnRadarHome;
import io.churnradar.local.runtime.LocalFlink;
import io.churnradar.local.runtime.ScratchDir;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.Rules;
import io.churnradar.detect.Alerts;
import io.churnradar.detect.ChurnPipeline;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import io.churnradar.testing.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.churnradar.detect.ChurnDetector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.source.legacy.SourceFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./churn-radar state export} on a real savepoint: the streaming detection (RocksDB, state TTL as
 * in production) runs over a planted history; a savepoint is taken, then a retained (incremental RocksDB)
 * checkpoint by cancelling the job. The savepoint is exported in each format, the checkpoint too; specific accounts' rows are checked, and every DuckDB query of docs/analysts.md runs on
 * the Parquet file with its answer checked.
 *
 * <p>Planted history, days 0..29 from {@link #DAY0} (Monday 2026-03-02), events at 10:00 UTC, event time
 * then advanced to day 30 12:00 (days up to 29 closed):
 * <ul>
 * <li>acct-ok: a login and 10 usage of three features every day: nothing open.</li>
 * <li>acct-pay: like acct-ok, subscription STARTED on day 0 (plan pro, 499.00, renewal 2026-09-01), payments FAILED on
 *     days 25, 26, 27 at 09:00: PAYMENT_FAILED open since day 25, CRITICAL at the 3rd failure, failure streak 3.</li>
 * <li>acct-idle: a login and usage on days 0..5, then nothing: INACTIVITY open since day 5 + 14 days.</li>
 * <li>acct-drop: a login every day, usage 30 a day on days 0..21, 3 a day from day 22: USAGE_DROP open.</li>
 * </ul>
 */
class StateExportTest {
    static final long DAY_MS = 86_400_000L;
    static final LocalDate DAY0 = LocalDate.of(2026, 3, 2);
    static final long T0 = DAY0.toEpochDay() * DAY_MS;
    static final long HOUR = 3_600_000L;

    private static Path tmp;
    private static Path savepoint;
    private static Path checkpoint;
    private static final CountDownLatch ALL_EMITTED = new CountDownLatch(1);

    @BeforeAll
    static void savepointOfAPlantedHistory() throws Exception {
        tmp = Files.createTempDirectory(TestTmp.ensure(), "state-export-test-");
        try (LocalFlink flink = LocalFlink.start(ChurnRadarHome.flinkConfDir(), false, true, 2)) {
            StreamExecutionEnvironment env = flink.environment();
            env.setParallelism(2);
            // Checkpoints (incremental RocksDB, config.yaml) kept after a cancel: a retained checkpoint to export too.
            env.configure(new org.apache.flink.configuration.Configuration()
                    .set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY, tmp.resolve("checkpoints").toUri().toString())
                    .set(org.apache.flink.configuration.CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                            org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION));
            var events = env.addSource(new PlantedSource(), "Planted history", TypeInformation.of(AccountEvent.class))
                    .setParallelism(1);
            // The detector as the streaming job runs it: keyed state with a TTL (state.ttl, 90 days by default).
            ChurnPipeline.detect(events, Rules.defaults(), Duration.ofDays(90)).sinkTo(new DiscardingSink<>());
            JobClient job = env.executeAsync("planted history");
            assertThat(ALL_EMITTED.await(2, TimeUnit.MINUTES)).as("the planted history was emitted").isTrue();
            Deadline.in(Duration.ofMinutes(1)).pollUntil("all tasks running", () -> flink.allTasksRunning(job.getJobID()));
            // The savepoint's barrier follows every planted event and the last watermark: the state has seen them all.
            savepoint = Path.of(java.net.URI.create(job.triggerSavepoint(tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES)));
            long afterSavepoint = System.currentTimeMillis();
            Deadline.in(Duration.ofMinutes(1)).pollUntil("a checkpoint after the savepoint",
                    () -> flink.latestCompletedCheckpointTriggeredAt(job.getJobID()) > afterSavepoint);
            job.cancel().get(1, TimeUnit.MINUTES);
            Path jobDir = tmp.resolve("checkpoints").resolve(job.getJobID().toString());
            try (Stream<Path> chk = Files.list(jobDir)) {
                checkpoint = chk.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                        .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                        .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDir));
            }
        }
    }

    @AfterAll
    static void removeTmp() throws IOException {
        if (tmp != null) ScratchDir.deleteRecursively(tmp);
    }

    static List<AccountEvent> history() {
        List<AccountEvent> h = new ArrayList<>();
        int[] seq = {0};
        java.util.function.Function<String, String> id = p -> p + "-" + (++seq[0]);
        for (int d = 0; d < 30; d++) {
            long at = T0 + d * DAY_MS + 10 * HOUR;
            for (String acct : List.of("acct-ok", "acct-pay")) {
                h.add(AccountEvent.login(id.apply("l"), acct, at));
                for (String f : List.of("reports", "dashboards", "exports")) {
                    h.add(AccountEvent.usage(id.apply("u"), acct, at + 60_000, f, f.equals("reports") ? 4 : 3));
                }
            }
            if (d <= 5) {
                h.add(AccountEvent.login(id.apply("l"), "acct-idle", at));
                h.add(AccountEvent.usage(id.apply("u"), "acct-idle", at + 60_000, "reports", 10));
            }
            h.add(AccountEvent.login(id.apply("l"), "acct-drop", at));
            h.add(AccountEvent.usage(id.apply("u"), "acct-drop", at + 60_000, "reports", d <= 21 ? 30 : 3));
        }
        AccountEvent started = AccountEvent.subscription(id.apply("s"), "acct-pay", T0 + 9 * HOUR, SubscriptionAction.STARTED);
        started.plan = "pro";
        started.mrrMinor = 49_900L;
        started.seats = 10;
        started.renewalDate = "2026-09-01";
        h.add(started);
        for (int d : new int[] {25, 26, 27}) {
            AccountEvent failed = AccountEvent.payment(id.apply("p"), "acct-pay", T0 + d * DAY_MS + 9 * HOUR, PaymentStatus.FAILED);
            failed.failureCode = "card_declined";
            failed.amountMinor = 49_900L;
            failed.currency = "EUR";
            failed.invoiceId = "inv-" + d;
            h.add(failed);
        }
        h.sort(Comparator.comparingLong(e -> e.eventTime));
        return h;
    }

    /** Emits the history in event-time order with watermarks, at once under the checkpoint lock, then waits to be stopped. */
    static final class PlantedSource implements SourceFunction<AccountEvent> {
        private static final long serialVersionUID = 1L;
        private transient volatile CountDownLatch stopped;

        @Override
        public void run(SourceContext<AccountEvent> ctx) throws Exception {
            stopped = new CountDownLatch(1);
            synchronized (ctx.getCheckpointLock()) {
                // AccountEvent is not Serializable: the history is made here, in the task (same JVM as the test).
                for (AccountEvent e : history()) {
                    ctx.collectWithTimestamp(e, e.eventTime);
                    ctx.emitWatermark(new Watermark(e.eventTime - 1));
                }
                ctx.emitWatermark(new Watermark(T0 + 30 * DAY_MS + 12 * HOUR));
            }
            ALL_EMITTED.countDown();
            stopped.await();
        }

        @Override
        public void cancel() {
            if (stopped != null) stopped.countDown();
        }
    }

    // ---- the command ----

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private static List<String> churnRadarTempFolders() throws IOException {
        try (Stream<Path> s = Files.list(TestTmp.ensure())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("churn-radar-")).sorted().toList();
        }
    }

    private static String export(String format, Path out) {
        return export(savepoint, format, out);
    }

    private static String export(Path from, String format, Path out) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("state", "export", "--savepoint", from.toString(), "--out", out.toString()));
        if (format != null) args.addAll(List.of("--format", format));
        int code = Main.run(args.toArray(String[]::new), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertThat(code).as("exit code; stderr: %s", stderr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("accounts   4");
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, JsonNode> jsonRows(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = json.readTree(line);
            rows.put(n.get("account_id").asText(), n);
        }
        return rows;
    }

    @Test
    void jsonLinesHaveARowPerAccountWithItsState() throws Exception {
        Path out = tmp.resolve("jsonl");
        export("jsonl", out);
        Map<String, JsonNode> rows = jsonRows(out.resolve("accounts.jsonl"));
        assertThat(rows.keySet()).containsExactly("acct-drop", "acct-idle", "acct-ok", "acct-pay");

        JsonNode pay = rows.get("acct-pay");
        assertThat(pay.get("as_of_day").asText()).isEqualTo(DAY0.plusDays(29).toString());
        assertThat(pay.get("failure_streak").asInt()).isEqualTo(3);
        assertThat(pay.get("open_signals").toString()).isEqualTo("[\"PAYMENT_FAILED\"]");
        assertThat(pay.get("episodes").toString()).isEqualTo("[{\"signal\":\"PAYMENT_FAILED\",\"started_at\":\"2026-03-27T09:00:00Z\","
                + "\"severity\":\"CRITICAL\",\"alert_id\":\"" + Alerts.alertId("acct-pay", Signal.PAYMENT_FAILED,
                        java.time.Instant.parse("2026-03-27T09:00:00Z").toEpochMilli()) + "\"}]");
        assertThat(pay.get("plan").asText()).isEqualTo("pro");
        assertThat(pay.get("mrr_minor").asLong()).isEqualTo(49_900L);
        assertThat(pay.get("renewal_date").asText()).isEqualTo("2026-09-01");
        assertThat(pay.get("last_login_at").asText()).isEqualTo("2026-03-31T10:00:00Z");
        assertThat(pay.get("days_since_last_login").asInt()).isZero();
        assertThat(pay.get("snapshot_day").asText()).isEqualTo("2026-03-31");
        assertThat(pay.get("usage_last_14d").toString()).isEqualTo("[10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0,10.0]");
        assertThat(pay.get("usage_last_7d").asDouble()).isEqualTo(70.0);
        assertThat(pay.get("usage_prev_7d").asDouble()).isEqualTo(70.0);
        assertThat(pay.get("health_score").isInt()).isTrue();

        // No events after day 5: no day closes of its own after the INACTIVITY deadline's day; 24 days without login by the snapshot.
        JsonNode idle = rows.get("acct-idle");
        assertThat(idle.get("as_of_day").asText()).isEqualTo("2026-03-20");
        assertThat(idle.get("snapshot_day").asText()).isEqualTo("2026-03-31");
        assertThat(idle.get("last_login_at").asText()).isEqualTo("2026-03-07T10:00:00Z");
        assertThat(idle.get("days_since_last_login").asInt()).isEqualTo(24);
        assertThat(idle.get("usage_last_14d").toString()).isEqualTo("[10.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]");
        assertThat(idle.get("open_signals").toString()).isEqualTo("[\"USAGE_DROP\",\"INACTIVITY\"]");
        assertThat(idle.get("episodes").get(1).toString())
                .isEqualTo("{\"signal\":\"INACTIVITY\",\"started_at\":\"2026-03-21T10:00:00Z\",\"severity\":\"MEDIUM\",\"alert_id\":\""
                        + Alerts.alertId("acct-idle", Signal.INACTIVITY, java.time.Instant.parse("2026-03-21T10:00:00Z").toEpochMilli()) + "\"}");
        assertThat(idle.get("health_tier").asText()).isEqualTo("RED");
        // Its last score was published at the close of its as_of_day: the components computed there add up to it.
        assertThat(idle.get("health_at").asText()).isEqualTo("2026-03-21T00:00:00Z");
        assertThat(idle.get("rules_version").asText()).isEqualTo("default-1");
        JsonNode components = idle.get("health_components");
        List<String> names = new ArrayList<>();
        double points = 0;
        for (JsonNode c : components) {
            names.add(c.get("name").asText());
            points += Math.round(c.get("value").asDouble() * c.get("weight").asDouble()) / 100.0;
        }
        assertThat(names).containsExactly("usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment");
        assertThat((int) Math.round(points)).isEqualTo(idle.get("health_score").asInt());
        assertThat(idle.get("failure_streak").asInt()).isZero();
        assertThat(idle.get("plan").isNull()).isTrue();
        assertThat(idle.get("mrr_minor").isNull()).isTrue();

        JsonNode drop = rows.get("acct-drop");
        assertThat(drop.get("as_of_day").asText()).isEqualTo("2026-03-31");
        assertThat(drop.get("usage_last_14d").toString())
                .isEqualTo("[30.0,30.0,30.0,30.0,30.0,30.0,3.0,3.0,3.0,3.0,3.0,3.0,3.0,3.0]");
        assertThat(drop.get("usage_last_7d").asDouble()).isEqualTo(21.0);
        assertThat(drop.get("usage_prev_7d").asDouble()).isEqualTo(183.0);
        assertThat(drop.get("open_signals").toString()).isEqualTo("[\"USAGE_DROP\"]");
        assertThat(drop.get("episodes").get(0).get("severity").asText()).isEqualTo("HIGH");

        JsonNode ok = rows.get("acct-ok");
        assertThat(ok.get("open_signals").size()).isZero();
        assertThat(ok.get("health_tier").asText()).isEqualTo("GREEN");
        assertThat(ok.get("pending_deadline").asText()).isNotEmpty();
    }

    @Test
    void aRetainedCheckpointExportsAsTheSavepointDoes() throws Exception {
        export(checkpoint, "jsonl", tmp.resolve("from-checkpoint"));
        export(savepoint, "jsonl", tmp.resolve("from-savepoint"));
        assertThat(Files.readAllLines(tmp.resolve("from-checkpoint/accounts.jsonl")))
                .hasSize(4)
                .isEqualTo(Files.readAllLines(tmp.resolve("from-savepoint/accounts.jsonl")));
    }

    @Test
    void rowsSortedInRunsOfOneAccountEachMergeToTheSameFileAndNoPartialFileStays() throws Exception {
        Path out = tmp.resolve("one-run");
        export(savepoint, "jsonl", out);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the file, moved into place whole").containsExactly("accounts.jsonl");
        }
        java.io.ByteArrayOutputStream merged = new java.io.ByteArrayOutputStream();
        Path scratch = Files.createDirectories(tmp.resolve("runs-of-one"));
        long accounts;
        try (LocalFlink flink = LocalFlink.start(ChurnRadarHome.flinkConfDir(), false, false, 1)) {
            accounts = io.churnradar.local.state.StateExport.write(flink.environment().setParallelism(1), savepoint, scratch, merged, 1);
        }
        assertThat(accounts).isEqualTo(4);
        assertThat(merged.toString(StandardCharsets.UTF_8)).isEqualTo(Files.readString(out.resolve("accounts.jsonl")));
    }

    @Test
    void csvHasAHeaderAndARowPerAccount() throws Exception {
        Path out = tmp.resolve("csv");
        export("csv", out);
        List<String> lines = Files.readAllLines(out.resolve("accounts.csv"));
        assertThat(lines.get(0)).startsWith("account_id,as_of_day,snapshot_day,usage_last_14d,usage_last_7d,usage_prev_7d,")
                .contains("failure_streak", "open_signals", "episodes", "health_score", "renewal_date", "pending_deadline");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).startsWith("acct-pay,2026-03-31,2026-03-31,").contains(",3,").contains("PAYMENT_FAILED", "CRITICAL", "2026-09-01");
    }

    @Test
    void everyDuckDbQueryOfTheAnalystsPageAnswersAsPlanted() throws Exception {
        Path out = tmp.resolve("parquet");
        List<String> tempBefore = churnRadarTempFolders();
        export(null, out); // Parquet by default
        assertThat(churnRadarTempFolders()).as("temp folders left by the export").isEqualTo(tempBefore);
        Path parquet = out.resolve("accounts.parquet");
        assertThat(parquet).exists();
        Map<String, String> queries = docQueries();
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("tiers", "GREEN | 2\nRED | 1\nYELLOW | 1");
        expected.put("payment-failed", "acct-pay | CRITICAL | 2026-03-27 09:00:00.0 | 3");
        expected.put("inactive", "acct-idle | 2026-03-07 10:00:00.0 | 24");
        expected.put("usage-drop", "acct-idle | 10.0 | 0.0 | 1.0\nacct-drop | 183.0 | 21.0 | 0.89");
        expected.put("daily-usage", Stream.concat(
                        Stream.iterate(16, d -> d + 1).limit(6).map(d -> DAY0.plusDays(d) + " | 30.0"),
                        Stream.iterate(22, d -> d + 1).limit(8).map(d -> DAY0.plusDays(d) + " | 3.0"))
                .collect(Collectors.joining("\n")));
        expected.put("weak-components", "acct-idle | featureBreadth | 0.0\nacct-idle | usageTrend | 0.0\nacct-idle | loginRecency | 3.2");
        expected.put("open-signals", "USAGE_DROP | 2\nINACTIVITY | 1\nPAYMENT_FAILED | 1");
        expected.put("revenue-at-risk", "acct-pay | pro | 499.0 | 2026-09-01 | PAYMENT_FAILED");
        assertThat(queries.keySet()).as("the queries of docs/analysts.md").containsExactlyInAnyOrderElementsOf(expected.keySet());
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            for (var q : queries.entrySet()) {
                String sql = q.getValue().replace("'accounts.parquet'", StateExportCommand.literal(parquet));
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<String> cells = new ArrayList<>();
                        for (int i = 1; i <= n; i++) cells.add(String.valueOf(rs.getObject(i)));
                        rows.add(String.join(" | ", cells));
                    }
                }
                assertThat(String.join("\n", rows)).as(q.getKey()).isEqualTo(expected.get(q.getKey()));
            }
        }
    }

    @Test
    void aPathThatIsNotASavepointIsNamedWithWhatToGive() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not-a-savepoint"));
        Run r = run("state", "export", "--savepoint", empty.toString(), "--out", tmp.resolve("x").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(empty + " is not a savepoint or retained checkpoint: it has no _metadata file",
                "give the folder that stop-with-savepoint or 'flink savepoint' printed");
        assertThat(tmp.resolve("x")).doesNotExist();

        Run missing = run("state", "export", "--savepoint", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("x").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("savepoint " + tmp.resolve("nowhere") + " does not exist");

        Path cut = Files.createDirectories(tmp.resolve("cut-savepoint"));
        Files.write(cut.resolve("_metadata"), new byte[0]);
        Run empty2 = run("state", "export", "--savepoint", cut.toString(), "--out", tmp.resolve("x").toString());
        assertThat(empty2.code()).isEqualTo(2);
        assertThat(empty2.err()).contains(cut.resolve("_metadata") + " cannot be read as Flink savepoint metadata (EOFException")
                .doesNotContain("(null)");

        Path blocked = Files.createDirectories(tmp.resolve("blocked/accounts.csv")).getParent();
        Run folderInTheWay = run("state", "export", "--savepoint", savepoint.toString(), "--out", blocked.toString(), "--format", "csv");
        assertThat(folderInTheWay.code()).isEqualTo(2);
        assertThat(folderInTheWay.err()).contains(blocked.resolve("accounts.csv") + " is a folder, where the export writes its file");
    }

    @Test
    void aSavepointOfAnotherJobIsNamedAsSuch() throws Exception {
        // The planted savepoint's metadata without the detector: what a savepoint of another job looks like to the export.
        Path other = Files.createDirectories(tmp.resolve("other-job-savepoint"));
        CheckpointMetadata metadata;
        try (var in = new java.io.DataInputStream(Files.newInputStream(savepoint.resolve("_metadata")))) {
            metadata = Checkpoints.loadCheckpointMetadata(in, getClass().getClassLoader(), savepoint.toString());
        }
        var detector = OperatorIdentifier.forUid(ChurnDetector.UID).getOperatorId();
        List<OperatorState> others = metadata.getOperatorStates().stream().filter(o -> !o.getOperatorID().equals(detector)).toList();
        assertThat(others).hasSizeLessThan(metadata.getOperatorStates().size());
        try (var o = Files.newOutputStream(other.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(metadata.getCheckpointId(), others, metadata.getMasterStates()), o);
        }
        Run r = run("state", "export", "--savepoint", other.toString(), "--out", tmp.resolve("y").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("savepoint " + other + " has no state of the operator 'churn-detector'",
                "it is not a savepoint of the churn-radar streaming job");
    }

    @Test
    void anUnknownFormatIsNamedWithTheAllowedOnes() {
        Run r = run("state", "export", "--savepoint", savepoint.toString(), "--out", tmp.resolve("z").toString(), "--format", "xlsx");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--format must be parquet, csv or jsonl, got 'xlsx'");
    }

    /** The {@code sql} blocks of docs/analysts.md that start with {@code -- duckdb: NAME}, by name. */
    static Map<String, String> docQueries() throws IOException {
        String doc = Files.readString(ChurnRadarHome.root().resolve("docs/analysts.md"));
        Matcher m = Pattern.compile("```sql\\n-- duckdb: ([\\w-]+)\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        Map<String, String> queries = new LinkedHashMap<>();
        while (m.find()) queries.put(m.group(1), m.group(2).trim().replaceAll(";$", ""));
        return queries;
    }

    @Test
    void flinkSqlsSavepointConnectorReadsTheDetectorStateAsTheAnalystsPageShows() throws Exception {
        String doc = Files.readString(ChurnRadarHome.root().resolve("docs/analysts.md"));
        int start = doc.indexOf("CREATE TABLE account_state");
        String ddl = doc.substring(start, doc.indexOf(");", start) + 1)
                .replace("file:///path/to/savepoint-1a2b3c-0123456789ab", savepoint.toUri().toString());
        int q = doc.indexOf("SELECT k AS account_id", start);
        String query = doc.substring(q, doc.indexOf(";", q));
        org.apache.flink.table.api.TableEnvironment t = org.apache.flink.table.api.TableEnvironment.create(
                org.apache.flink.table.api.EnvironmentSettings.inBatchMode());
        t.executeSql(ddl);
        List<String> rows = new ArrayList<>();
        try (org.apache.flink.util.CloseableIterator<org.apache.flink.types.Row> it = t.executeSql(query).collect()) {
            it.forEachRemaining(r -> rows.add(r.getField(0) + " " + r.getField(1)));
        }
        assertThat(rows).containsExactly("acct-pay 3");
    }
}
