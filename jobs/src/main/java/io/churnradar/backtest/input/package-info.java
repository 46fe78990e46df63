/**
 * The backtest's reading of its event files, in event time: each input through a {@code FileSource}
 * ({@link io.churnradar.backtest.input.PayloadFormat}: the file and line of every payload), each payload mapped to
 * events by its input's format ({@link io.churnradar.backtest.input.PayloadMapping}), merged in
 * event time within the bound ({@link io.churnradar.backtest.input.EventTimeMerge}), with every rejected line
 * kept as a {@link io.churnradar.backtest.input.RejectedLine}. {@link io.churnradar.backtest.input.BacktestReading}
 * is the entry point; the benchmark's baselines read through it too. Knows nothing of the result files or of the
 * run around them (LayersTest).
 */
package io.churnradar.backtest.input;
