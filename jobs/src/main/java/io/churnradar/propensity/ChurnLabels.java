package io.churnradar.propensity;

import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.EventType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ground truth a propensity model learns: per account and instant t, whether the account churns
 * within the horizon after t under a {@link ChurnDefinition}, or whether the history ends too early to
 * tell (censored). Built from the events of a history in any order.
 *
 * <p>Memory per account is bounded by its active days, not its events: per day with activity (a login, a
 * usage with a quantity, a payment other than a refund) the first and last activity instant, which answers
 * "any activity in (t, t + h]" exactly; and the instants of its CANCELED events (a handful).
 */
public final class ChurnLabels {
    static final long DAY_MS = 86_400_000L;

    public enum Label {
        /** Churns within the horizon after t. */
        CHURN,
        /** Does not churn within the horizon after t. */
        STAY,
        /** The history ends before the horizon after t and shows no answer yet: left out of training and evaluation. */
        CENSORED
    }

    /**
     * One churn of an account, for lead-time measures: {@code at} is when the definition says it has
     * churned (the CANCELED event; for inactivity, the last activity plus the horizon), {@code lastActiveAt}
     * its last activity before that (Long.MIN_VALUE when none).
     */
    public record ChurnMoment(long at, long lastActiveAt) {}

    private final ChurnDefinition definition;
    private final long horizonMs;
    private final long dataEnd;
    private final Map<String, Activity> accounts;

    private ChurnLabels(ChurnDefinition definition, long dataEnd, Map<String, Activity> accounts) {
        this.definition = definition;
        this.horizonMs = definition.horizonMs();
        this.dataEnd = dataEnd;
        this.accounts = accounts;
    }

    public static Builder builder(ChurnDefinition definition) {
        return new Builder(definition);
    }

    /** The definition with {@code auto} resolved by the history. */
    public ChurnDefinition definition() {
        return definition;
    }

    /** The latest event time of the history (Long.MIN_VALUE when it was empty): the horizon must fit before it. */
    public long dataEnd() {
        return dataEnd;
    }

    public Set<String> accounts() {
        return Collections.unmodifiableSet(accounts.keySet());
    }

    /** The label of {@code accountId} at instant {@code t} (a day close), looking only after t. */
    public Label label(String accountId, long t) {
        Activity a = accounts.get(accountId);
        boolean horizonSeen = t <= dataEnd - horizonMs;
        if (definition.basis() == ChurnDefinition.Basis.CANCELED) {
            if (a != null && a.canceledWithin(t, t + horizonMs)) return Label.CHURN;
            return horizonSeen ? Label.STAY : Label.CENSORED;
        }
        if (a != null && a.activeWithin(t, t + horizonMs)) return Label.STAY;
        return horizonSeen ? Label.CHURN : Label.CENSORED;
    }

    /**
     * Whether a churn moment the history does not show could still fall in {@code (t, t + horizon]}: the horizon runs
     * past the history's end, and nothing seen rules it out. A cancellation can come any day; under inactivity, a
     * churn moment is the last activity plus the horizon, so an account active after {@code t} can no longer have one
     * in the window beyond those the history shows.
     */
    public boolean mayChurnUnseen(String accountId, long t) {
        if (t + horizonMs <= dataEnd) return false;
        if (definition.basis() == ChurnDefinition.Basis.CANCELED) return true;
        Activity a = accounts.get(accountId);
        return a == null || a.days == 0 || a.last[a.days - 1] <= t;
    }

    /** The per-account memory, for tests of its bound. */
    Map<String, Activity> accountsForTest() {
        return accounts;
    }

    /** Every churn of the account in the history, in time order. */
    public List<ChurnMoment> churnMoments(String accountId) {
        Activity a = accounts.get(accountId);
        if (a == null) return List.of();
        List<ChurnMoment> out = new ArrayList<>();
        if (definition.basis() == ChurnDefinition.Basis.CANCELED) {
            for (int i = 0; i < a.cancels; i++) out.add(new ChurnMoment(a.cancelAt[i], a.lastActiveAtOrBefore(a.cancelAt[i])));
            return out;
        }
        for (int i = 0; i < a.days; i++) {
            long last = a.last[i];
            long next = i + 1 < a.days ? a.first[i + 1] : Long.MAX_VALUE;
            // Churned when no activity follows within the horizon, and the history reaches the horizon.
            if (next > last + horizonMs && last + horizonMs <= dataEnd) out.add(new ChurnMoment(last + horizonMs, last));
        }
        return out;
    }

    /** Reads a history; {@link #build()} resolves {@code auto}. */
    public static final class Builder {
        private final ChurnDefinition definition;
        private final Map<String, Activity> accounts = new HashMap<>();
        private long dataEnd = Long.MIN_VALUE;
        private boolean subscriptions;

        private Builder(ChurnDefinition definition) {
            this.definition = java.util.Objects.requireNonNull(definition, "definition");
        }

        public Builder add(AccountEvent e) {
            if (e == null || e.accountId == null || e.type == null) return this;
            dataEnd = Math.max(dataEnd, e.eventTime);
            if (e.type == EventType.SUBSCRIPTION) {
                subscriptions = true;
                if (e.action == SubscriptionAction.CANCELED) activity(e.accountId).cancel(e.eventTime);
                return this;
            }
            if (isActivity(e)) activity(e.accountId).active(e.eventTime);
            return this;
        }

        private Activity activity(String accountId) {
            return accounts.computeIfAbsent(accountId, k -> new Activity());
        }

        public ChurnLabels build() {
            for (Activity a : accounts.values()) a.trim();
            return new ChurnLabels(definition.resolve(subscriptions), dataEnd, accounts);
        }
    }

    /** Login, usage of something, or a payment that is not a refund: the customer is there. */
    static boolean isActivity(AccountEvent e) {
        return switch (e.type) {
            case LOGIN -> true;
            case USAGE -> e.quantity > 0;
            case PAYMENT -> e.paymentStatus != PaymentStatus.REFUNDED;
            default -> false;
        };
    }

    /** Active days of one account, ascending, each with its first and last activity instant; and its cancellations. */
    static final class Activity {
        long[] day = new long[4];
        long[] first = new long[4];
        long[] last = new long[4];
        int days;
        long[] cancelAt = new long[0];
        int cancels;

        void active(long at) {
            long d = Math.floorDiv(at, DAY_MS);
            int i;
            if (days > 0 && day[days - 1] == d) {
                i = days - 1;
            } else if (days == 0 || day[days - 1] < d) {
                i = insertAt(days, d, at); // in order: the common case, appended
            } else {
                i = Arrays.binarySearch(day, 0, days, d);
                if (i < 0) i = insertAt(-i - 1, d, at);
            }
            first[i] = Math.min(first[i], at);
            last[i] = Math.max(last[i], at);
        }

        private int insertAt(int at, long d, long t) {
            if (days == day.length) {
                int n = day.length * 2;
                day = Arrays.copyOf(day, n);
                first = Arrays.copyOf(first, n);
                last = Arrays.copyOf(last, n);
            }
            System.arraycopy(day, at, day, at + 1, days - at);
            System.arraycopy(first, at, first, at + 1, days - at);
            System.arraycopy(last, at, last, at + 1, days - at);
            day[at] = d;
            first[at] = t;
            last[at] = t;
            days++;
            return at;
        }

        void cancel(long at) {
            int i = Arrays.binarySearch(cancelAt, 0, cancels, at);
            if (i >= 0) return; // the same cancellation twice
            i = -i - 1;
            if (cancels == cancelAt.length) cancelAt = Arrays.copyOf(cancelAt, Math.max(2, cancels * 2));
            System.arraycopy(cancelAt, i, cancelAt, i + 1, cancels - i);
            cancelAt[i] = at;
            cancels++;
        }

        void trim() {
            day = Arrays.copyOf(day, days);
            first = Arrays.copyOf(first, days);
            last = Arrays.copyOf(last, days);
            cancelAt = Arrays.copyOf(cancelAt, cancels);
        }

        /** Any activity in (from, to]. */
        boolean activeWithin(long from, long to) {
            long fromDay = Math.floorDiv(from, DAY_MS);
            long toDay = Math.floorDiv(to, DAY_MS);
            int i = Arrays.binarySearch(day, 0, days, fromDay);
            if (i >= 0) {
                // The day of `from` itself: activity after `from` on it (horizons are a day or more, so it is before `to`).
                if (last[i] > from && (fromDay < toDay || first[i] <= to)) return true;
                i++;
            } else {
                i = -i - 1;
            }
            if (i >= days) return false;
            if (day[i] < toDay) return true;
            return day[i] == toDay && first[i] <= to;
        }

        /** A cancellation in (from, to]. */
        boolean canceledWithin(long from, long to) {
            for (int i = 0; i < cancels; i++) if (cancelAt[i] > from && cancelAt[i] <= to) return true;
            return false;
        }

        long lastActiveAtOrBefore(long t) {
            long d = Math.floorDiv(t, DAY_MS);
            int i = Arrays.binarySearch(day, 0, days, d);
            if (i >= 0) {
                if (first[i] <= t) return last[i] <= t ? last[i] : first[i]; // within the day only the bounds are known
                i--;
            } else {
                i = -i - 2;
            }
            return i >= 0 ? last[i] : Long.MIN_VALUE;
        }
    }
}
