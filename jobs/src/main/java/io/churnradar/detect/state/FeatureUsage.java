package io.churnradar.detect.state;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The features an account used, each with the event time of its latest use, on the arrays of
 * {@link AccountState}. Bounded: at most {@link Rules#MAX_TRACKED_FEATURES}; when full, a new feature
 * replaces the one used least recently (and is dropped if it is older than all of them). A usage
 * event with quantity 0 is not a use.
 */
public final class FeatureUsage {
    private FeatureUsage() {}

    public static void record(AccountState s, String feature, long at) {
        int i = indexOf(s.featureNames, feature);
        if (i >= 0) {
            s.featureLastUsedAt[i] = Math.max(s.featureLastUsedAt[i], at);
            return;
        }
        int n = s.featureNames.length;
        if (n < Rules.MAX_TRACKED_FEATURES) {
            s.featureNames = Arrays.copyOf(s.featureNames, n + 1);
            s.featureLastUsedAt = Arrays.copyOf(s.featureLastUsedAt, n + 1);
            i = n;
        } else {
            i = leastRecent(s);
            if (at <= s.featureLastUsedAt[i]) return;
        }
        // The JVM's one instance of the name, shared by every account that uses the feature: each usage event compares its
        // feature with the account's names, and names of their own, scattered over the heap with each account, made those
        // comparisons a cache miss each (3% of the backtest's detection thread). Only a feature new to the account gets here;
        // interned strings that no account keeps any more are collected.
        s.featureNames[i] = feature.intern();
        s.featureLastUsedAt[i] = at;
    }

    /** Distinct features whose latest use is at or after {@code since}. */
    public static int countUsedSince(AccountState s, long since) {
        int n = 0;
        for (long t : s.featureLastUsedAt) if (t >= since) n++;
        return n;
    }

    /** The features whose latest use is at or after {@code since}, in name order. */
    public static List<String> namesUsedSince(AccountState s, long since) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.featureNames.length; i++) {
            if (s.featureLastUsedAt[i] >= since) out.add(s.featureNames[i]);
        }
        out.sort(null);
        return out;
    }

    /** The latest use of any feature, or NONE. */
    public static long latestUse(AccountState s) {
        long latest = NONE;
        for (long t : s.featureLastUsedAt) latest = Math.max(latest, t);
        return latest;
    }

    /** A plain loop: this runs on every usage event, and a List view per call showed in profiles. */
    private static int indexOf(String[] names, String feature) {
        for (int i = 0; i < names.length; i++) {
            if (feature.equals(names[i])) return i;
        }
        return -1;
    }

    private static int leastRecent(AccountState s) {
        int min = 0;
        for (int i = 1; i < s.featureLastUsedAt.length; i++) {
            if (s.featureLastUsedAt[i] < s.featureLastUsedAt[min]) min = i;
        }
        return min;
    }
}
