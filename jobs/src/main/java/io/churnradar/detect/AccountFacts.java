package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.detect.state.EventTime;
import io.churnradar.play.AccountView;
import io.churnradar.score.AccountHealthModel;
import io.churnradar.signals.Signal;

/** The playbooks' view of an account's detection state. */
final class AccountFacts implements AccountView {
    private final String accountId;
    private final AccountState s;
    private final AccountHealthModel health;

    AccountFacts(String accountId, AccountState s, AccountHealthModel health) {
        this.accountId = accountId;
        this.s = s;
        this.health = health;
    }

    @Override
    public String accountId() {
        return accountId;
    }

    @Override
    public String plan() {
        return s.subscription == null ? null : s.subscription.plan;
    }

    @Override
    public long mrrMinor() {
        return s.subscription == null || s.subscription.mrrMinor == NONE ? -1 : s.subscription.mrrMinor;
    }

    @Override
    public long tenureDays(long at) {
        long since = s.subscription != null && s.subscription.startedAt != NONE ? s.subscription.startedAt : s.firstEventTime();
        return since == NONE ? 0 : Math.max(0, Math.floorDiv(at - since, EventTime.DAY_MS));
    }

    @Override
    public boolean isOpen(String signal) {
        try {
            return s.episode(Signal.valueOf(signal)) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public boolean churned() {
        return s.subscription != null && s.subscription.churnedAt != NONE;
    }

    @Override
    public int healthScore(long at) {
        return health.compute(s, at).score();
    }

    @Override
    public String healthTier(long at) {
        return health.compute(s, at).tier().name();
    }
}
