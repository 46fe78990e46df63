package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;

/** The card on file (part of {@link AccountState}; a POJO). */
public class CardState {
    /** Expiry as months since year 0 (year * 12 + month - 1). */
    public long expiryMonth = NONE;
    /** Event time of the payment that showed it: a later payment's card replaces it. */
    public long seenAt = NONE;
    /** Whether its CARD_EXPIRING deadline has passed. */
    public boolean expiringNoted;

    public CardState() {}
}
