package io.churnradar.backtest.results;


/**
 * A backtest output as JSON with its sort keys: an alert, a health update, a playbook decision, an
 * outcome event or a rejected line. {@link io.churnradar.backtest.BacktestJob#healthLines} states the order of health.jsonl with it.
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
    /** The order the detector made an account's updates in (io.churnradar.backtest.BacktestJob#healthLines). */
    public long seq;

    public BacktestRecord() {}
}
