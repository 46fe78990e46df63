package io.churnradar.backtest;

/** What the backtest brings back to the client: an alert or a rejected line, as JSON, with its sort keys. */
public class BacktestRecord {
    public boolean alert;
    public long time;
    public String accountId;
    public String signal;
    public int status;
    public String alertId;
    public String file;
    public long line;
    public String json;

    public BacktestRecord() {}
}
