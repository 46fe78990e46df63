package io.churnradar.kpi;

/** What a subscription event did to an account's MRR (docs/analysts.md, Retention KPIs). */
public enum MovementKind {
    /** The account's first known MRR. */
    NEW,
    /** An active account's MRR went up. */
    EXPANSION,
    /** An active account's MRR went down. */
    CONTRACTION,
    /** The subscription was CANCELED: the MRR it had is lost. */
    CHURNED,
    /** A canceled subscription runs again, at the MRR it has now. */
    REACTIVATED,
    /** The plan changed and the MRR did not: the account only moves between plan segments. */
    PLAN_CHANGE
}
