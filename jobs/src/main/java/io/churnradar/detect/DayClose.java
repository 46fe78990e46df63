package io.churnradar.detect;

/** A day close the detector evaluated: the account, the closed UTC day and the account's state at its close (a POJO). */
public class DayClose {
    public String accountId;
    public long day;
    public AccountState state;

    public DayClose() {}

    public DayClose(String accountId, long day, AccountState state) {
        this.accountId = accountId;
        this.day = day;
        this.state = state;
    }
}
