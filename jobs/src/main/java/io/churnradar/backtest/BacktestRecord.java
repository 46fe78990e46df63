package io.churnradar.backtest;

/** What the backtest brings back to the client: an alert, a health update or a rejected line, as JSON, with its sort keys. */
public class BacktestRecord {
    public boolean alert;
    public boolean health;
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
