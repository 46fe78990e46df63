package io.churnradar.local.demo;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
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

    /** e.g. {@code 2026-03-24 00:00Z    -> SEND_DUNNING_EMAIL  acct-0042  dunning step 1 {step=1}} */
    public static String of(RetentionCommand c) {
        return String.format("%s    -> %-20s %-9s  %s, step %d of the playbook, %s",
                MINUTE.format(c.getIssuedAt()), c.getAction(), c.getAccountId(), c.getReason().getPlaybook(),
                c.getReason().getStep() + 1, new java.util.TreeMap<>(c.getParams()));
    }

    /** e.g. {@code (rules v2)         APPLIED  in force (were default-1)} */
    public static String of(RulesStatus s) {
        String what = "(rules " + (s.getVersion() == null ? "?" : s.getVersion()) + ")";
        String detail = s.getStatus() == RulesDecision.APPLIED
                ? "in force (were " + s.getPreviousVersion() + ")"
                : s.getActiveVersion() + " stay in force; " + String.join("; ", s.getErrors());
        return String.format("%-17s  %-8s %s", what, s.getStatus(), detail);
    }

    public static String of(DeadLetter d) {
        String where = d.getSource() + (d.getPartition() == null ? "" : "/" + d.getPartition())
                + (d.getOffset() == null ? "" : "@" + d.getOffset());
        return String.format("%-17s  %-8s %-35s  %s", "(dead letter)", "REJECTED", where, d.getReason());
    }
}
