package io.churnradar.backtest;

import io.churnradar.config.Rules;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnLabels;
import io.churnradar.report.LabelEvents;
import io.churnradar.report.LabelsView;
import io.churnradar.report.ReportInput;
import io.churnradar.report.ReportWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code backtest --report}: report.html from the result files, judged against the churn labels (the
 * default definition: cancellations where the history has subscription events, else 90 days without
 * activity) of the events the job read.
 */
final class BacktestReport {
    private BacktestReport() {}

    static Path write(Path outDir, Path scratch, Rules rules, BacktestSummary s) throws IOException {
        ChurnLabels.Builder labels = ChurnLabels.builder(ChurnDefinition.DEFAULT);
        LabelEvents.read(scratch, labels::add);
        return ReportWriter.write(ReportInput.of(outDir)
                .labels(new LabelsView(labels.build()))
                .tiers(rules.health.greenFrom, rules.health.yellowFrom)
                .run(s.firstEventTime, s.lastEventTime, s.ruleVersion));
    }
}
