/**
 * The backtest's result files (alerts.jsonl, health.jsonl, commands.jsonl, command-audit.jsonl, kpis.jsonl,
 * dead-letter.jsonl, outcomes.json): the job's sinks write each output as sorted, compressed runs in a scratch
 * folder ({@link io.churnradar.backtest.results.SortedRunSink}, {@link io.churnradar.backtest.results.ExternalSort}),
 * and after the job {@link io.churnradar.backtest.results.BacktestOutputs#write} merges the runs into the files in
 * their stable order. Memory stays bounded by a run's buffer and a record per run, however large the history.
 * Knows of the reading only its rejected lines, and nothing of the run (LayersTest).
 */
package io.churnradar.backtest.results;
