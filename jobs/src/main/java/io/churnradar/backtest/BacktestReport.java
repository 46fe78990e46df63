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
        ChurnLabels.Builder builder = ChurnLabels.builder(ChurnDefinition.DEFAULT);
        LabelEvents.read(scratch, builder::add);
        ChurnLabels labels = builder.build();
        ReportInput input = ReportInput.of(outDir);
        if (labels.definition().basis() == ChurnDefinition.Basis.INACTIVITY) {
            // The default definition fell back to inactivity: the history has no subscription events, and outcomes know
            // churn only as a CANCELED one.
            input.playbooksNote("This history has no subscription events: an entry is lost only at a CANCELED subscription event,"
                    + " so every settled entry counts as saved and these save rates say nothing about churn. The signals' figures"
                    + " above take churn as inactivity; the playbooks' outcomes need subscription events (docs/playbooks.md).");
        }
        return ReportWriter.write(input
                .labels(new LabelsView(labels))
                .tiers(rules.health.greenFrom, rules.health.yellowFrom)
                .run(s.firstEventTime, s.lastEventTime, s.ruleVersion));
    }
}
