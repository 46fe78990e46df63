package io.churnradar.webhook;

/**
 * How one command's delivery ended: delivered, or given up with the attempts made, the last HTTP
 * status (0 when no response came) and what went wrong, free of URLs and secrets.
 */
record Outcome(boolean delivered, String endpoint, int attempts, int lastStatus, String problem) {
    static Outcome delivered(String endpoint, int attempts, int status) {
        return new Outcome(true, endpoint, attempts, status, null);
    }

    static Outcome gaveUp(String endpoint, int attempts, int lastStatus, String problem) {
        return new Outcome(false, endpoint, attempts, lastStatus, problem);
    }

    /** The dead letter's reason: action, endpoint, attempts, last status, and why. */
    String reason(String action) {
        return "webhook " + action + " to endpoint '" + endpoint + "' failed after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + ", last HTTP status "
                + (lastStatus > 0 ? Integer.toString(lastStatus) : "none") + ": " + problem;
    }
}
