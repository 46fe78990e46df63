package io.churnradar.backtest;

/**
 * What the backtest brings back to the client: an alert, a health update, a playbook decision, an
 * outcome event or a rejected line, as JSON, with its sort keys.
 */
public class BacktestRecord {
    public boolean alert;
    public boolean health;
    /** A playbook decision; {@link #sent} when its disposition is SEND. Sorted by time, account, {@link #alertId} (the command id). */
    public boolean command;
    public boolean sent;
    /** An account entering a playbook, or its outcome (no JSON: it is tallied into outcomes.json). */
    public io.churnradar.play.OutcomeEvent outcome;
    public long time;
    public String accountId;
    public String signal;
    public int status;
    public String alertId;
    public String file;
    public long line;
    public String json;
    /** A health update's line when it is the account's last one (health.jsonl closes with one per account). */
    public String finalJson;
    /** Arrival order at the client: an account's updates arrive in the order the detector made them. */
    public long seq;

    public BacktestRecord() {}
}
