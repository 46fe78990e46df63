package io.churnradar.play;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Command ids depend only on account, playbook, step and episode: a replay or restart gives the same ids. */
public final class CommandIds {
    private CommandIds() {}

    public static String of(String accountId, String playbook, int step, String alertId) {
        String seed = "command|" + accountId + '|' + playbook + '|' + step + '|' + alertId;
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
