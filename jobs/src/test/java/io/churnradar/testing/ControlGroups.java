package io.churnradar.testing;

import io.churnradar.play.Holdout;
import java.util.stream.Stream;

/** Account ids chosen by their playbook control groups (10%), so a test can plant a treated or a held-out account. */
public final class ControlGroups {
    private ControlGroups() {}

    /** The first {@code prefix-N} that is treated (not held out) by every playbook named. */
    public static String treated(String prefix, String... playbooks) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (Stream.of(playbooks).noneMatch(p -> Holdout.isHeldOut(id, p, 10))) return id;
        }
    }

    /** The first {@code prefix-N} in the playbook's control group. */
    public static String heldOut(String prefix, String playbook) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (Holdout.isHeldOut(id, playbook, 10)) return id;
        }
    }
}
