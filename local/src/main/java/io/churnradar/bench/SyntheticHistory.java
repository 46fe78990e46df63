package io.churnradar.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Writes a JSON Lines history of about {@code events} events over {@code accounts} accounts and
 * {@code days} days, in event-time order (no event is late), with a share of accounts sliding toward churn. The same
 * arguments write the same file, so a benchmark can be rerun on exactly the same input.
 *
 * <p>{@code skew} 0 gives every account the same expected activity; above 0 the activity of account
 * {@code a} is proportional to {@code 1 / (a + 1)^skew} (Zipf), with the same total: a few hot keys,
 * as real customer bases have, which stresses one subtask and one account's state.
 */
public final class SyntheticHistory {
    private static final long DAY = 86_400_000L;
    private static final String[] FEATURES = {"reports", "dashboards", "exports", "api", "alerts", "sharing"};

    private SyntheticHistory() {}

    public static long write(Path file, int accounts, long events, int days, long seed) throws IOException {
        return write(file, accounts, events, days, 0, seed);
    }

    public static long write(Path file, int accounts, long events, int days, double skew, long seed) throws IOException {
        Random rnd = new Random(seed);
        long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        double perAccountDay = (double) events / accounts / days;
        double[] weight = weights(accounts, skew);
        int[] fate = new int[accounts]; // 0 healthy, 1 usage drop, 2 inactive, 3 payment trouble, 4 ticket spike
        for (int a = 0; a < accounts; a++) fate[a] = rnd.nextInt(100) < 80 ? 0 : 1 + rnd.nextInt(4);
        long written = 0;
        try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 20)) {
            StringBuilder sb = new StringBuilder(256);
            for (int d = 0; d < days; d++) {
                // One pass per hour, each account at its own instant of the hour, keeps the file in
                // event-time order: every event is on time, as a replayed history is, so a pipeline is
                // measured on the work it does, not on how many events it can drop as late.
                for (int h = 0; h < 24; h++) {
                    long hour = start + d * DAY + h * 3_600_000L;
                    for (int a = 0; a < accounts; a++) {
                        long t = hour + a * 3_600_000L / accounts;
                        // Expected events of this account in this hour; a hot account may have several.
                        double expected = perAccountDay / 24 * weight[a];
                        int n = (int) expected + (rnd.nextDouble() < expected - (int) expected ? 1 : 0);
                        for (int k = 0; k < n; k++) {
                            boolean late = d >= days / 2;
                            String acct = "acct-" + a;
                            int kind = rnd.nextInt(20);
                            sb.setLength(0);
                            long ts = t + k;
                            String id = acct + "-" + d + "-" + h + "-" + rnd.nextInt(1_000_000);
                            if (kind < 4) {
                                if (fate[a] == 2 && late) continue;
                                sb.append("{\"type\":\"login\",\"eventId\":\"").append(id).append("\",\"accountId\":\"").append(acct)
                                        .append("\",\"eventTime\":").append(ts).append('}');
                            } else if (kind < 18) {
                                double q = 1 + rnd.nextInt(5);
                                if (fate[a] == 1 && late) q = rnd.nextInt(4) == 0 ? q : 0;
                                if (q == 0) continue;
                                sb.append("{\"type\":\"usage\",\"eventId\":\"").append(id).append("\",\"accountId\":\"").append(acct)
                                        .append("\",\"eventTime\":").append(ts).append(",\"feature\":\"").append(FEATURES[rnd.nextInt(FEATURES.length)])
                                        .append("\",\"quantity\":").append(q).append('}');
                            } else if (kind < 19) {
                                boolean failed = fate[a] == 3 && late;
                                sb.append("{\"type\":\"payment\",\"eventId\":\"").append(id).append("\",\"accountId\":\"").append(acct)
                                        .append("\",\"eventTime\":").append(ts).append(",\"status\":\"").append(failed ? "FAILED" : "SUCCEEDED")
                                        .append("\",\"amountMinor\":4900,\"currency\":\"EUR\",\"invoiceId\":\"inv-").append(id).append("\"}");
                            } else {
                                if (fate[a] != 4 && rnd.nextInt(4) != 0) continue;
                                sb.append("{\"type\":\"support_ticket\",\"eventId\":\"").append(id).append("\",\"accountId\":\"").append(acct)
                                        .append("\",\"eventTime\":").append(ts).append(",\"ticketId\":\"t-").append(id)
                                        .append("\",\"status\":\"OPENED\",\"priority\":\"HIGH\"}");
                            }
                            w.append(sb).append('\n');
                            written++;
                        }
                    }
                }
            }
        }
        return written;
    }

    /** Relative activity per account, mean 1. */
    private static double[] weights(int accounts, double skew) {
        double[] w = new double[accounts];
        double sum = 0;
        for (int a = 0; a < accounts; a++) sum += w[a] = skew == 0 ? 1 : Math.pow(a + 1, -skew);
        for (int a = 0; a < accounts; a++) w[a] = w[a] * accounts / sum;
        return w;
    }
}
