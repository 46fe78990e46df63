package io.churnradar.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a report is made of: a folder of outputs (whichever of {@code alerts.jsonl}, {@code health.jsonl},
 * {@code outcomes.json}, {@code kpis.jsonl}, {@code scores.jsonl} are there; each absent one leaves its
 * section saying so), the churn labels, and optionally a model evaluation made elsewhere ({@code train}
 * hands in its own; otherwise one is computed from {@code scores.jsonl} against the labels).
 */
public final class ReportInput {
    /** The outputs' folder; null for a page of a model alone ({@link #modelOnly}). */
    final Path folder;
    String title = "Churn Radar backtest report";
    ChurnOutcomes labels;
    ModelEvaluation model;
    int greenFrom = 75;
    int yellowFrom = 50;
    String firstEventTime;
    String lastEventTime;
    String ruleVersion;
    String subtitle;
    String playbooksNote;
    CustomerComparison customers;

    private ReportInput(Path folder) {
        this.folder = folder;
    }

    /** The outputs in {@code folder}; report.html is written there too. */
    public static ReportInput of(Path folder) {
        return new ReportInput(Objects.requireNonNull(folder, "folder"));
    }

    /**
     * A page of one model's evaluation (train's): the model section alone, with no folder of outputs, so the
     * page neither names a folder nor lists sections that a training run has no outputs for.
     */
    public static ReportInput modelOnly(ModelEvaluation model) {
        return new ReportInput(null).model(Objects.requireNonNull(model, "model"));
    }

    /** A warning over the playbooks' figures, e.g. that the history cannot settle their outcomes. */
    public ReportInput playbooksNote(String note) {
        this.playbooksNote = note;
        return this;
    }

    /** One line under the title, e.g. what the model was trained and evaluated on. */
    public ReportInput subtitle(String subtitle) {
        this.subtitle = subtitle;
        return this;
    }

    /** The model against the alerts per customer, as train compares them; shown in the model section. */
    public ReportInput customers(CustomerComparison customers) {
        this.customers = customers;
        return this;
    }

    public ReportInput title(String title) {
        this.title = title;
        return this;
    }

    /** The churn labels: without them, precision, recall, lead times and the model section say they are missing. */
    public ReportInput labels(ChurnOutcomes labels) {
        this.labels = labels;
        return this;
    }

    /** A model evaluation made by the caller (train's, on its evaluation period); it wins over scores.jsonl. */
    public ReportInput model(ModelEvaluation model) {
        this.model = model;
        return this;
    }

    /** The health tier bounds (the rules' health.tiers): GREEN from {@code greenFrom}, YELLOW from {@code yellowFrom}. */
    public ReportInput tiers(int greenFrom, int yellowFrom) {
        this.greenFrom = greenFrom;
        this.yellowFrom = yellowFrom;
        return this;
    }

    /** The history's event time and the rules version, shown in the header. */
    public ReportInput run(String firstEventTime, String lastEventTime, String ruleVersion) {
        this.firstEventTime = firstEventTime;
        this.lastEventTime = lastEventTime;
        this.ruleVersion = ruleVersion;
        return this;
    }
}
