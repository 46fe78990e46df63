package io.churnradar.local;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One alert or dead letter as one readable line, columns aligned for a terminal. */
public final class AlertLine {
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

    private AlertLine() {}

    /** e.g. {@code 2026-03-24 00:00Z  RAISED   HIGH      USAGE_DROP      acct-0042  Usage fell 34.3% ...} */
    public static String of(RiskAlert a) {
        return String.format("%s  %-8s %-9s %-15s %-9s  %s",
                MINUTE.format(a.getDetectedAt()), a.getStatus(), a.getSeverity(), a.getSignal(), a.getAccountId(),
                a.getExplanation());
    }

    public static String of(DeadLetter d) {
        String where = d.getSource() + (d.getPartition() == null ? "" : "/" + d.getPartition())
                + (d.getOffset() == null ? "" : "@" + d.getOffset());
        return String.format("%-17s  %-8s %-35s  %s", "(dead letter)", "REJECTED", where, d.getReason());
    }
}
