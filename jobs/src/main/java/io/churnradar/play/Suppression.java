package io.churnradar.play;

/**
 * The rules between plays that keep customer-facing commands from contradicting each other or the
 * account's situation; each named as the audit shows it (docs/playbooks.md).
 */
final class Suppression {
    private Suppression() {}

    /** The rule that stops a customer-facing command now, or null. */
    static String rule(Action action, PlaysState p, AccountView a) {
        if (p.doNotContact) return "do-not-contact";
        boolean dunningOpen = a.isOpen("PAYMENT_FAILED");
        switch (action) {
            case START_WIN_BACK, SEND_SURVEY, OFFBOARDING_SURVEY -> {
                if (dunningOpen) return "dunning-open";
            }
            case ENROLL_JOURNEY -> {
                if (dunningOpen) return "dunning-open";
                if (a.churned()) return "churned";
            }
            case OFFER_SAVE -> {
                if (a.churned()) return "churned";
            }
            default -> {}
        }
        return null;
    }
}
