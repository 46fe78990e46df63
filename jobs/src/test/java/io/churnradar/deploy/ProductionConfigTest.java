package io.churnradar.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.StreamingJob;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.tasks.CheckpointCoordinatorConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * flink-conf/config.yaml, read by Flink's own loader (GlobalConfiguration, as the image's JobManager
 * and TaskManagers do): every key is one of Flink 2.2's options under its current name, and the settings take
 * effect in the streaming job's graph.
 */
class ProductionConfigTest {
    static final Path PRODUCTION = DeployFiles.ROOT.resolve("flink-conf");
    private static final String PROMETHEUS = "metrics.reporter.prom.";
    /** Flink's option classes that hold the keys a cluster's config.yaml may set. */
    private static final List<Class<?>> OPTION_CLASSES = List.of(CheckpointingOptions.class, CoreOptions.class,
            ExecutionOptions.class,
            HighAvailabilityOptions.class, JobManagerOptions.class, MetricOptions.class, PipelineOptions.class,
            RestOptions.class, RestartStrategyOptions.class, StateBackendOptions.class, TaskManagerOptions.class,
            org.apache.flink.state.rocksdb.RocksDBOptions.class, org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.class);

    private final Configuration conf = GlobalConfiguration.loadConfiguration(PRODUCTION.toString());

    @Test
    void everyKeyIsAFlinkOptionUnderItsCurrentName() {
        Set<String> keys = new TreeSet<>(conf.keySet());
        assertThat(keys).hasSizeGreaterThan(20);
        Set<String> known = currentKeys();
        for (String key : keys) {
            if (key.startsWith(PROMETHEUS)) continue;
            // A deprecated or removed 1.x name (state.checkpoints.dir, ...) would be ignored or only warned about.
            assertThat(known).as("Flink 2.2 option " + key).contains(key);
        }
    }

    @Test
    void prometheusReporterIsConfigured() throws Exception {
        String factory = conf.getString(PROMETHEUS + MetricOptions.REPORTER_FACTORY_CLASS.key(), null);
        assertThat(MetricReporterFactory.class.isAssignableFrom(Class.forName(factory))).isTrue();
        assertThat(Integer.parseInt(conf.getString(PROMETHEUS + "port", null))).isEqualTo(9249);
        assertThat(DeployFiles.read(DeployFiles.ROOT.resolve("docker/Dockerfile"))).contains("EXPOSE 9249");
    }

    @Test
    void productionSettingsAreTheIssuesOnes() {
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE)).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isGreaterThan(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF));
        assertThat(conf.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        // Alerts cross two network hops; Flink's default flushes a half-empty buffer only after 100 ms.
        assertThat(conf.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(10));
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        // One timer per account, a million of them firing at a midnight: RocksDB's sorted timers (docs/operations.md, "Timers").
        assertThat(conf.get(org.apache.flink.state.rocksdb.RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
        // 16 KB data blocks: the block cache keeps the state in a quarter as many entries as with 4 KB blocks
        // (docs/operations.md, "RocksDB block size").
        assertThat(conf.get(org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.BLOCK_SIZE))
                .isEqualTo(org.apache.flink.configuration.MemorySize.parse("16kb"));
        // No compression at any level: a state below L1 read without decompressing its blocks (docs/operations.md,
        // "RocksDB compression"). One value, which RocksDB applies to every level.
        assertThat(conf.get(org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .containsExactly(org.rocksdb.CompressionType.NO_COMPRESSION);
        // A checkpoint must complete before the broker aborts the transaction it commits.
        JobSettings settings = JobSettings.load(DeployFiles.ROOT.resolve("docker/churn-radar.yaml"));
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT)
                        .plus(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)))
                .isLessThan(settings.transactionTimeout);
    }

    @Test
    void theStreamingJobBuildsWithIt() throws Exception {
        // Every operator has a uid (else auto-generate-uids: false refuses the graph), and the checkpoint
        // settings reach the job.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamingJob.build(env, JobSettings.load(DeployFiles.ROOT.resolve("docker/churn-radar.yaml")),
                Rules.load(DeployFiles.ROOT.resolve("jobs/src/main/resources/rules/default-rules.yaml")));

        JobGraph graph = env.getStreamGraph().getJobGraph();

        CheckpointCoordinatorConfiguration checkpoints =
                graph.getCheckpointingSettings().getCheckpointCoordinatorConfiguration();
        assertThat(checkpoints.isExactlyOnce()).isTrue();
        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(Duration.ofMinutes(1).toMillis());
        assertThat(checkpoints.getCheckpointRetentionPolicy().name()).isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(checkpoints.getTolerableCheckpointFailureNumber()).isEqualTo(3);
    }

    @Test
    void anOperatorWithoutUidIsRefused() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.fromData(1, 2, 3).map(i -> i + 1).sinkTo(new DiscardingSink<>());

        assertThatThrownBy(() -> env.getStreamGraph().getJobGraph())
                .hasStackTraceContaining("UID");
    }

    /** The main key of every option in Flink's option classes (fallback and deprecated keys are not). */
    static Set<String> currentKeys() {
        Set<String> keys = new TreeSet<>();
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())
                        && f.getAnnotation(Deprecated.class) == null) {
                    try {
                        keys.add(((ConfigOption<?>) f.get(null)).key());
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        }
        return keys;
    }
}
