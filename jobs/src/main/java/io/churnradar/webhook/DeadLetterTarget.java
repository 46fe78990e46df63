package io.churnradar.webhook;

import java.io.Serializable;

/** Where the sink's writers put the commands no endpoint took: opened once per writer. */
public interface DeadLetterTarget extends Serializable {
    DeadLetterPublisher open(String clientId);
}
