package io.churnradar.local.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.backtest.results.ExternalSort;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.Alerts;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.config.Rules;
import io.churnradar.detect.Episode;
import io.churnradar.detect.HealthComponents;
import io.churnradar.score.Health;
import io.churnradar.score.ScoreComponent;
import org.apache.flink.api.java.tuple.Tuple2;
import io.churnradar.signals.Signal;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads the detector's per-account state from a savepoint or retained checkpoint with Flink's State
 * Processor API: one JSON object per account (the columns of docs/analysts.md), sorted by account id.
 */
public final class StateExport {
    static final long DAY_MS = 86_400_000L;
    static final int USAGE_DAYS = 14;
    /** The row's field, until snapshot_day is set, of the latest day the account's state shows ({@link #reachedDay}). */
    static final String REACHED_DAY = "reached_day";

    private StateExport() {}

    /** Thrown for a path that is not a savepoint of this job; the message says what to do. */
    public static final class NotASavepointException extends Exception {
        NotASavepointException(String message) {
            super(message);
        }
    }

    /**
     * Checks that {@code path} is a savepoint or retained checkpoint (a folder with a {@code _metadata}
     * file, or that file) holding the detector's state; returns the folder.
     */
    public static Path checkSavepoint(Path path) throws NotASavepointException {
        Path dir = path.getFileName() != null && path.getFileName().toString().equals("_metadata") ? path.getParent() : path;
        if (!Files.exists(path)) {
            throw new NotASavepointException("savepoint " + path + " does not exist; give the folder of a savepoint or retained checkpoint"
                    + " (the one holding a _metadata file, e.g. .../savepoint-1a2b3c-0123456789ab or .../chk-42)");
        }
        if (!Files.isRegularFile(dir.resolve("_metadata"))) {
            throw new NotASavepointException(path + " is not a savepoint or retained checkpoint: it has no _metadata file; give the folder"
                    + " that stop-with-savepoint or 'flink savepoint' printed, or a chk-N folder of a retained checkpoint");
        }
        CheckpointMetadata metadata;
        try {
            metadata = SavepointLoader.loadSavepointMetadata(dir.toUri().toString());
        } catch (IOException | RuntimeException e) {
            // An empty file ends the reader with an EOFException whose message is null: the class then says what happened.
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName() + (e instanceof java.io.EOFException
                    ? ": the file ends before its metadata does" : "");
            throw new NotASavepointException(dir.resolve("_metadata") + " cannot be read as Flink savepoint metadata (" + why
                    + "); give the folder of a complete savepoint or retained checkpoint written by Flink 2.x");
        }
        var detector = OperatorIdentifier.forUid(ChurnDetector.UID).getOperatorId();
        boolean found = false;
        for (OperatorState op : metadata.getOperatorStates()) {
            if (op.getOperatorID().equals(detector)) found = true;
        }
        if (!found) {
            throw new NotASavepointException("savepoint " + dir + " has no state of the operator '" + ChurnDetector.UID + "' ("
                    + metadata.getOperatorStates().size() + " other operators): it is not a savepoint of the churn-radar streaming job;"
                    + " take one of the job that runs the detector ('flink stop --savepointPath ...')");
        }
        return dir;
    }

    /**
     * Writes one JSON line per account of the savepoint in {@code dir}, sorted by account id, to {@code out}, and
     * returns how many. The rows stream from Flink into sorted runs in {@code scratch} and are merged from there: memory
     * holds a run's buffer, never every row (a million accounts' rows took GBs as strings and twice that as trees).
     */
    public static long write(StreamExecutionEnvironment env, Path dir, Path scratch, OutputStream out) throws Exception {
        return write(env, dir, scratch, out, RUN_BYTES);
    }

    /** As above, sorting at most {@code runBytes} of rows in memory at a time (tests make it tiny: a run per row). */
    public static long write(StreamExecutionEnvironment env, Path dir, Path scratch, OutputStream out, long runBytes) throws Exception {
        // RocksDB as the job uses it: reads canonical savepoints and RocksDB's native checkpoints alike.
        SavepointReader savepoint = SavepointReader.read(env, dir.toUri().toString(), new EmbeddedRocksDBStateBackend());
        Rules rules = rulesInForce(savepoint);
        ExternalSort.RunWriter runs = new ExternalSort.RunWriter(scratch, "accounts", runBytes);
        String snapshot = null;
        long count = 0;
        try (CloseableIterator<String> it = savepoint
                .readKeyedState(OperatorIdentifier.forUid(ChurnDetector.UID), new AccountRows(rules), Types.STRING, Types.STRING)
                .executeAndCollect("churn-radar state export")) {
            while (it.hasNext()) {
                String row = it.next();
                String[] lead = accountAndDay(row);
                if (lead[2] != null && (snapshot == null || lead[2].compareTo(snapshot) > 0)) snapshot = lead[2];
                runs.add(new ExternalSort.Entry(ExternalSort.Key.of(lead[0]), null, row));
                count++;
            }
        }
        ObjectMapper json = new ObjectMapper();
        String snapshotDay = snapshot;
        ExternalSort.merge(runs.finish(), false, scratch, r -> {
            try {
                out.write(withSnapshotDay(json, r.line(), snapshotDay).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return count;
    }

    /** Rows sorted in memory at a time, in bytes (a row takes about 1 KB). */
    private static final long RUN_BYTES = 32L << 20;

    /**
     * The rules in force: the last rule set published on the rules topic, which the detector keeps in its broadcast
     * state; none there means the job still ran under the rules it started with, the defaults unless given --rules.
     */
    private static Rules rulesInForce(SavepointReader savepoint) throws Exception {
        Rules rules = Rules.defaults();
        try (CloseableIterator<Tuple2<String, String>> it = savepoint
                .readBroadcastState(OperatorIdentifier.forUid(ChurnDetector.UID), ChurnDetector.RULES_STATE, Types.STRING, Types.STRING)
                .executeAndCollect("churn-radar state export: rules")) {
            while (it.hasNext()) {
                Tuple2<String, String> e = it.next();
                if (ChurnDetector.CURRENT_RULES.equals(e.f0)) rules = Rules.parse(e.f1, "the savepoint's rules state");
            }
        }
        return rules;
    }

    private static final String[] LEAD_FIELDS = {"account_id", "as_of_day", REACHED_DAY};

    /** A row's account id, {@code as_of_day} and the day its state reached (null when none): its first fields, read without the rest. */
    static String[] accountAndDay(String row) throws IOException {
        try (JsonParser p = LEAD.createParser(row)) {
            String[] lead = new String[LEAD_FIELDS.length];
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("not a row: " + row);
            for (int i = 0; i < lead.length; i++) {
                p.nextToken();
                String field = p.currentName();
                p.nextToken();
                if (!LEAD_FIELDS[i].equals(field)) throw new IOException("not a row: " + row);
                lead[i] = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
            }
            return lead;
        }
    }

    private static final JsonFactory LEAD = new JsonFactory();

    /** Turns each account's state into its row. */
    static final class AccountRows extends KeyedStateReaderFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private final Rules rules;
        private transient ValueState<AccountState> account;
        private transient ObjectMapper json;

        AccountRows(Rules rules) {
            this.rules = rules;
        }

        @Override
        public void open(OpenContext ctx) {
            ValueStateDescriptor<AccountState> descriptor = new ValueStateDescriptor<>(ChurnDetector.ACCOUNT_STATE, AccountState.class);
            // The streaming job always keeps its keyed state with a TTL (state.ttl, 30 days at least), which wraps each value
            // with its last access time: the reader must declare a TTL too, or the state would not restore. Its length does not
            // matter to the format; an export shows every account still in the savepoint, however old the savepoint is.
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(365L * 100))
                    .setStateVisibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)
                    .disableCleanupInBackground()
                    .build());
            account = getRuntimeContext().getState(descriptor);
            json = new ObjectMapper();
        }

        @Override
        public void readKey(String accountId, Context ctx, Collector<String> out) throws Exception {
            AccountState s = account.value();
            if (s == null) return; // an account with only de-duplication ids left
            out.collect(json.writeValueAsString(row(json, accountId, s, rules)));
        }
    }

    /** The row of one account; field order is the column order. */
    static ObjectNode row(ObjectMapper json, String accountId, AccountState s, Rules rules) {
        ObjectNode r = json.createObjectNode();
        r.put("account_id", accountId);
        long asOf = s.lastClosedDay;
        r.put("as_of_day", day(asOf));
        r.put(REACHED_DAY, day(reachedDay(s))); // read for snapshot_day, then left out of the row
        // Day buckets of as_of-12 .. as_of: the detector drops a day once no future day close looks at it, so after
        // the close of as_of (USAGE_DROP's two 7-day windows: 14 days back) the bucket of as_of-13 is gone. The
        // detector kept the sums of both windows at that close (trendCur/PrevUsage): they give that day back.
        Double[] daily = new Double[USAGE_DAYS];
        int tickets7 = 0;
        if (asOf != AccountState.NONE) {
            for (int k = 0; k < USAGE_DAYS; k++) daily[k] = 0.0; // index 0 = as_of-13, 13 = as_of
            for (int i = 0; i < s.bucketDays.length; i++) {
                long k = s.bucketDays[i] - (asOf - (USAGE_DAYS - 1));
                if (k >= 0 && k < USAGE_DAYS) daily[(int) k] = s.bucketUsage[i];
                if (k >= USAGE_DAYS - 7 && k < USAGE_DAYS) tickets7 += s.bucketTicketsOpened[i];
            }
            boolean oldestHeld = false;
            for (long d : s.bucketDays) oldestHeld |= d <= asOf - (USAGE_DAYS - 1);
            if (!oldestHeld) {
                daily[0] = null;
                long oldest = asOf - (USAGE_DAYS - 1);
                if (s.trendDay == AccountState.NONE || oldest >= s.trendDay + 2 - rules.lookbackDays()) {
                    // as_of_day was reached without a close of its own (quiet days need none), and the last close
                    // (trendDay) dropped only days before this one: its bucket would be here had it any usage.
                    daily[0] = 0.0;
                } else if (s.trendDay == asOf && Math.abs(sum(daily, 7, 14) - s.trendCurUsage) < 1e-6) {
                    // Only when the trend is of this close and its current window is the 7 days held here (the default rules).
                    daily[0] = Math.max(0, Math.round((s.trendPrevUsage - sum(daily, 1, 7)) * 1e6) / 1e6);
                }
            }
        }
        ArrayNode usage = r.putArray("usage_last_14d");
        for (Double u : daily) {
            if (u == null) usage.addNull();
            else usage.add(u);
        }
        if (asOf == AccountState.NONE) {
            r.putNull("usage_last_7d");
            r.putNull("usage_prev_7d");
        } else {
            r.put("usage_last_7d", sum(daily, 7, 14));
            if (daily[0] == null) r.putNull("usage_prev_7d");
            else r.put("usage_prev_7d", sum(daily, 0, 7));
        }
        r.put("tickets_opened_last_7d", tickets7);
        r.put("first_event_at", instant(s.firstEventAt != AccountState.NONE ? s.firstEventAt
                : s.firstEventDay == AccountState.NONE ? AccountState.NONE : s.firstEventDay * DAY_MS));
        r.put("last_login_at", instant(s.lastLoginAt));
        r.putNull("days_since_last_login"); // set against the savepoint's day by withSnapshotDay
        r.put("failure_streak", s.failureStreak);
        ArrayNode open = r.putArray("open_signals");
        ArrayNode episodes = r.putArray("episodes");
        Signal[] signals = Signal.values();
        for (int i = 0; i < s.episodes.length && i < signals.length; i++) {
            Episode e = s.episodes[i];
            if (e == null) continue;
            open.add(signals[i].name());
            ObjectNode ep = episodes.addObject();
            ep.put("signal", signals[i].name());
            ep.put("started_at", instant(e.start));
            ep.put("severity", e.severity == null ? null : e.severity.name());
            ep.put("alert_id", Alerts.alertId(accountId, signals[i], e.start, e.repeat));
        }
        if (s.lastHealthScore < 0) r.putNull("health_score");
        else r.put("health_score", s.lastHealthScore);
        r.put("health_tier", s.lastHealthTier == null ? null : s.lastHealthTier.name());
        r.put("health_at", instant(s.lastHealthAt));
        r.put("rules_version", rules.version);
        ArrayNode components = r.putArray("health_components");
        if (asOf != AccountState.NONE) {
            // As the detector computed them at the close of as_of_day, under the rules in force.
            Health h = HealthComponents.at(s, rules, (asOf + 1) * DAY_MS);
            for (ScoreComponent c : h.components()) {
                components.addObject().put("name", c.name()).put("value", c.value()).put("weight", c.weight());
            }
        }
        var sub = s.subscription;
        r.put("renewal_date", sub == null ? null : day(sub.renewalDay));
        if (sub == null || sub.mrrMinor == AccountState.NONE) r.putNull("mrr_minor");
        else r.put("mrr_minor", sub.mrrMinor);
        r.put("plan", sub == null ? null : sub.plan);
        r.put("churned_at", sub == null ? null : instant(sub.churnedAt));
        r.put("pending_deadline", instant(s.pendingTimer));
        return r;
    }

    private static double sum(Double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += values[i] == null ? 0 : values[i];
        return sum;
    }

    /**
     * The latest day the account's state shows: its last close, or a later login, payment, health update or day of
     * usage or tickets. Events of a day are in the state before its close, so this can be a day after as_of_day.
     */
    static long reachedDay(AccountState s) {
        long day = s.lastClosedDay;
        for (long t : new long[] {s.lastLoginAt, s.lastPaymentSuccessAt, s.lastPaymentFailureAt}) {
            if (t != AccountState.NONE) day = Math.max(day, Math.floorDiv(t, DAY_MS));
        }
        // A day's close is published at the midnight that ends it: it belongs to that day.
        if (s.lastHealthAt != AccountState.NONE) day = Math.max(day, Math.floorDiv(s.lastHealthAt - 1, DAY_MS));
        if (s.bucketDays.length > 0) day = Math.max(day, s.bucketDays[s.bucketDays.length - 1]);
        return day;
    }

    /**
     * A row with {@code snapshot_day}, the latest day any account's state shows (about the day event time had
     * reached when the savepoint was taken), and {@code days_since_last_login} as of that day: an account that
     * sends nothing has no day closes of its own, so its {@code as_of_day} stays behind.
     */
    static String withSnapshotDay(ObjectMapper json, String row, String snapshot) throws IOException {
        ObjectNode n = (ObjectNode) json.readTree(row);
        ObjectNode r = json.createObjectNode();
        n.fields().forEachRemaining(f -> {
            if (f.getKey().equals(REACHED_DAY)) return;
            r.set(f.getKey(), f.getValue());
            if (f.getKey().equals("as_of_day")) r.putNull("snapshot_day");
        });
        if (snapshot != null) r.put("snapshot_day", snapshot);
        String login = n.path("last_login_at").asText(null);
        if (snapshot != null && login != null) {
            r.put("days_since_last_login", LocalDate.parse(snapshot).toEpochDay() - Math.floorDiv(Instant.parse(login).toEpochMilli(), DAY_MS));
        }
        return json.writeValueAsString(r);
    }

    private static String day(long epochDay) {
        return epochDay == AccountState.NONE ? null : LocalDate.ofEpochDay(epochDay).toString();
    }

    private static String instant(long epochMillis) {
        return epochMillis == AccountState.NONE ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
