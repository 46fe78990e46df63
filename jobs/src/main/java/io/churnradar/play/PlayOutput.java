package io.churnradar.play;

import io.churnradar.commands.RetentionCommand;

/** Where the playbooks send their decisions and outcome events. */
public interface PlayOutput {
    /** Every decision, whatever its disposition: the audit; SEND ones are also executed. */
    void command(RetentionCommand command);

    void outcome(OutcomeEvent outcome);
}
