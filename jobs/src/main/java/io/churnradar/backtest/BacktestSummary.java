package io.churnradar.backtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The figures of one backtest run, written as summary.json. */
public class BacktestSummary {
    public long linesRead;
    public long blankLines;
    public long eventsAccepted;
    public long duplicates;
    public long deadLettered;
    /** Valid payloads that carry no churn signal (a Stripe event type we do not use, a Segment page view). */
    public long skipped;
    public long lateEvents;
    public long alertsTotal;
    /** signal -> status -> count */
    public Map<String, Map<String, Long>> alerts = new TreeMap<>();
    /** Changes of health scores written to health.jsonl (the lines before the final ones). */
    public long healthUpdates;
    /** Accounts with a health score: one final line each in health.jsonl. */
    public long healthAccounts;
    /** Churn scores written to scores.jsonl: one per account and day close scored by the rules' model (0 without one). */
    public long churnScores;
    /** The churn model the rules carried (SHA-256 prefix, label, training day), or null. */
    public String model;
    /** Playbook decisions by disposition (SEND, HOLDOUT, CAPPED, SUPPRESSED), and the commands sent. */
    public Map<String, Long> commandDecisions = new TreeMap<>();
    public long commandsSent;
    public String firstEventTime;
    public String lastEventTime;
    public String ruleVersion;
    /** Input files read. */
    public int files;
    /** The files the backtest wrote into its results folder, in the order written (this one, then report.html, last). */
    public List<String> resultFiles = new ArrayList<>();
    /** Result files of an earlier run in the same folder that this run did not write again, and removed (not in summary.json). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<String> earlierResultsRemoved = new ArrayList<>();
}
