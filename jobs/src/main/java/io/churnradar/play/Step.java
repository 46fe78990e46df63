package io.churnradar.play;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One step of a playbook: an action with its parameters, due {@link #delayMs} after the trigger, or
 * {@link #beforeExpiryMs} before the card on file expires (CARD_EXPIRING playbooks). Its
 * {@link #variants} pick other parameters for some accounts (the first whose segment matches).
 */
public final class Step implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final long NOT_SET = -1;

    public final Action action;
    public final Map<String, String> params;
    public final long delayMs;
    public final long beforeExpiryMs;
    public final List<Variant> variants;

    public Step(Action action, Map<String, String> params, long delayMs, long beforeExpiryMs, List<Variant> variants) {
        this.action = action;
        this.params = Map.copyOf(params);
        this.delayMs = delayMs;
        this.beforeExpiryMs = beforeExpiryMs;
        this.variants = List.copyOf(variants);
    }

    public static Step now(Action action, Map<String, String> params) {
        return new Step(action, params, 0, NOT_SET, List.of());
    }

    public static Step after(long delayMs, Action action, Map<String, String> params) {
        return new Step(action, params, delayMs, NOT_SET, List.of());
    }

    /** When the step is due for a play triggered at {@code triggeredAt}, anchored at {@code anchorAt} (the card's expiry). */
    long dueAt(long triggeredAt, long anchorAt) {
        if (beforeExpiryMs != NOT_SET && anchorAt != PlaysState.NONE) return anchorAt - beforeExpiryMs;
        return triggeredAt + Math.max(0, delayMs);
    }

    /** The parameters for this account: the first matching variant's, else the step's own. */
    Map<String, String> paramsFor(AccountView a, long at) {
        for (Variant v : variants) {
            if (v.when.matches(a, at)) return v.params;
        }
        return params;
    }

    /** Parameters for the accounts in a segment. */
    public static final class Variant implements Serializable {
        private static final long serialVersionUID = 1L;
        public final Segment when;
        public final Map<String, String> params;

        public Variant(Segment when, Map<String, String> params) {
            this.when = when;
            this.params = Map.copyOf(params);
        }
    }
}
