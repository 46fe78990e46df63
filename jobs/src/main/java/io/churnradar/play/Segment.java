package io.churnradar.play;

import java.io.Serializable;
import java.util.List;

/**
 * Which accounts a playbook (or a step's variant) is for: plans, an MRR band in minor units and a
 * minimum tenure. Every condition given must hold; an account whose plan or MRR is unknown matches
 * no condition on them (a band cannot be checked on a number nobody told us).
 */
public final class Segment implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Segment ANY = new Segment(List.of(), -1, -1, 0);

    /** Plans the account must be on; empty: any plan. */
    public final List<String> plans;
    /** MRR band [minMrrMinor, maxMrrMinor), -1 where open. */
    public final long minMrrMinor;
    public final long maxMrrMinor;
    public final int minTenureDays;

    public Segment(List<String> plans, long minMrrMinor, long maxMrrMinor, int minTenureDays) {
        this.plans = List.copyOf(plans);
        this.minMrrMinor = minMrrMinor;
        this.maxMrrMinor = maxMrrMinor;
        this.minTenureDays = minTenureDays;
    }

    public boolean matches(AccountView a, long at) {
        if (!plans.isEmpty() && (a.plan() == null || !plans.contains(a.plan()))) return false;
        if (minMrrMinor >= 0 && (a.mrrMinor() < 0 || a.mrrMinor() < minMrrMinor)) return false;
        if (maxMrrMinor >= 0 && (a.mrrMinor() < 0 || a.mrrMinor() >= maxMrrMinor)) return false;
        return minTenureDays <= 0 || a.tenureDays(at) >= minTenureDays;
    }
}
