package io.churnradar.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * A Flink MiniCluster as production runs it where it matters for correctness: RocksDB state, and
 * no Kryo fallback (a generic type anywhere in the job fails it).
 */
public final class FlinkTestCluster {
    private FlinkTestCluster() {}

    /** Configuration for the cluster and for every job submitted in tests. */
    public static Configuration config() {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("pipeline.generic-types", "false");
        c.setString("taskmanager.memory.managed.size", "128m");
        c.setString("taskmanager.memory.network.min", "32m");
        c.setString("taskmanager.memory.network.max", "32m");
        return c;
    }

    public static MiniClusterExtension extension(int slots) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(config())
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
    }
}
