package io.churnradar.local.command;

/**
 * A command that cannot go on, for a reason its message says in full: what happened and what to change (a Kafka cluster
 * it cannot reach, topics it lacks, a job that failed). The launcher prints the message alone on standard error, as it
 * does a bad config file's, and exits with 1: no stack trace, which would only hide it.
 */
final class CommandFailure extends RuntimeException {
    CommandFailure(String message) {
        super(message);
    }
}
