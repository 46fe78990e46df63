package io.churnradar.backtest;

import io.churnradar.config.Rules;
import io.churnradar.report.ChurnOutcomes;
import io.churnradar.report.ReportInput;
import io.churnradar.report.ReportWriter;
import java.io.IOException;
import java.nio.file.Path;

/** {@code backtest --report}: report.html from the result files and the churn labels of the events the job read. */
final class BacktestReport {
    private BacktestReport() {}

    static Path write(Path outDir, Path scratch, Rules rules, BacktestSummary s) throws IOException {
        ChurnOutcomes labels = null;
        return ReportWriter.write(ReportInput.of(outDir)
                .labels(labels)
                .tiers(rules.health.greenFrom, rules.health.yellowFrom)
                .run(s.firstEventTime, s.lastEventTime, s.ruleVersion));
    }
}
