package io.churnradar.ingest.formats;

import java.util.HashMap;
import java.util.Map;

/** Which account each user belongs to, as calls such as Segment's {@code group} teach it. */
public interface UserLinks {
    void link(String user, String account);

    String accountOf(String user);

    /** No links at all: for inputs whose payloads always name their account. */
    UserLinks NONE = new UserLinks() {
        @Override
        public void link(String user, String account) {}

        @Override
        public String accountOf(String user) {
            return null;
        }
    };

    /** Links in memory, for one ordered pass over files (a backtest, a conversion). */
    static UserLinks inMemory() {
        Map<String, String> m = new HashMap<>();
        return new UserLinks() {
            @Override
            public void link(String user, String account) {
                m.put(user, account);
            }

            @Override
            public String accountOf(String user) {
                return m.get(user);
            }
        };
    }
}
