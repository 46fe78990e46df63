package io.churnradar.local.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironmentFactory;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * Flink in this JVM: a MiniCluster configured from {@code flink-conf/local/config.yaml}, with the web UI (the
 * flink-runtime-web jar is on the classpath) and a fresh temp folder for checkpoints, RocksDB and Flink's
 * own files, deleted on {@link #close()}.
 *
 * <p>It owns its MiniCluster rather than use {@code StreamExecutionEnvironment.createLocalEnvironmentWithWebUI}:
 * that one starts a cluster per job and shuts it down asynchronously after the job ends, so nobody could
 * tell when its files are gone, and the temp folder could not be deleted reliably. Here {@code close()}
 * returns once the cluster is down.
 */
public final class LocalFlink implements AutoCloseable {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final Configuration conf;
    private final ScratchDir scratch;
    private final MiniCluster cluster;
    private final boolean webUi;

    private LocalFlink(Configuration conf, ScratchDir scratch, MiniCluster cluster, boolean webUi) {
        this.conf = conf;
        this.scratch = scratch;
        this.cluster = cluster;
        this.webUi = webUi;
    }

    /**
     * @param confDir folder of {@code config.yaml}
     * @param webUi serve the web UI on {@code rest.port} (else REST binds a random port and no URL is shown)
     * @param checkpointing keep {@code execution.checkpointing.interval}; off for bounded jobs, whose
     *     collected results a checkpoint would only delay
     * @param minSlots task slots at least (a job's parallelism above config.yaml's would not find slots)
     */
    public static LocalFlink start(Path confDir, boolean webUi, boolean checkpointing, int minSlots) throws Exception {
        // Should the JVM exit meanwhile, its hook waits for the start to finish, then stops this cluster and deletes its folder.
        return RunGuard.creating(() -> startNow(confDir, webUi, checkpointing, minSlots));
    }

    private static LocalFlink startNow(Path confDir, boolean webUi, boolean checkpointing, int minSlots) throws Exception {
        ScratchDir scratch = ScratchDir.create("churn-radar-flink-");
        try {
            Configuration conf = configuration(confDir, scratch, webUi, checkpointing);
            MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(Math.max(minSlots, Math.max(conf.get(TaskManagerOptions.NUM_TASK_SLOTS),
                            conf.get(CoreOptions.DEFAULT_PARALLELISM))))
                    .build());
            try {
                cluster.start();
            } catch (Exception e) {
                cluster.closeAsync().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                throw e;
            }
            LocalFlink flink = new LocalFlink(conf, scratch, cluster, webUi);
            // Stopped before its folder is deleted should the JVM exit while it runs (RunGuard).
            RunGuard.running(flink);
            return flink;
        } catch (Exception e) {
            scratch.close();
            throw e;
        }
    }

    /** config.yaml, with every folder Flink writes to moved into the scratch folder. */
    static Configuration configuration(Path confDir, ScratchDir scratch, boolean webUi, boolean checkpointing) {
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, scratch.dir("checkpoints").toUri().toString());
        conf.set(CoreOptions.TMP_DIRS, scratch.dir("io").toString());
        // RocksDB's own folder, short: below the io folder its path grows past RocksDB's 255-character limit.
        conf.setString("state.backend.rocksdb.localdir", scratch.dir("rocksdb").toString());
        conf.set(BlobServerOptions.STORAGE_DIRECTORY, scratch.dir("blobs").toString());
        conf.set(WebOptions.TMP_DIR, scratch.dir("web").toString());
        conf.set(WebOptions.UPLOAD_DIR, scratch.dir("web").toString());
        if (!webUi) {
            // Any free port: a backtest or a test must not compete for 8081 with a running demo.
            conf.removeConfig(RestOptions.PORT);
            conf.set(RestOptions.BIND_PORT, "0");
        }
        if (!checkpointing) {
            conf.removeConfig(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        }
        return conf;
    }

    public Configuration configuration() {
        return new Configuration(conf);
    }

    public Optional<Duration> checkpointInterval() {
        return conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    }

    /** The web UI's address, when it was asked for. */
    public Optional<URI> webUi() throws Exception {
        if (!webUi) return Optional.empty();
        return Optional.of(cluster.getRestAddress().get(30, TimeUnit.SECONDS));
    }

    /** A fresh environment whose jobs run on this cluster, configured from config.yaml. */
    public StreamExecutionEnvironment environment() {
        return environment(conf);
    }

    /** An environment for a job with {@code settings} (Flink's keys and values as text) over config.yaml's. */
    public StreamExecutionEnvironment environment(Map<String, String> settings) {
        Configuration c = new Configuration(conf);
        settings.forEach(c::setString);
        return environment(c);
    }

    private StreamExecutionEnvironment environment(Configuration c) {
        Configuration withTarget = new Configuration(c);
        withTarget.set(DeploymentOptions.TARGET, ClusterExecutor.NAME);
        return new StreamExecutionEnvironment(new ClusterExecutor(), withTarget, Thread.currentThread().getContextClassLoader());
    }

    /**
     * Runs {@code body} with {@link StreamExecutionEnvironment#getExecutionEnvironment} answering an
     * environment of this cluster, for code that creates its own environment (the backtest).
     */
    public <T> T asContextEnvironment(ThrowingSupplier<T> body) throws Exception {
        ContextEnvironment.install(c -> {
            Configuration merged = new Configuration(conf);
            merged.addAll(c);
            return environment(merged);
        });
        try {
            return body.get();
        } finally {
            ContextEnvironment.reset();
        }
    }

    /** Whether every task of the job is running: its sources read and its sinks have opened their transactions. */
    public boolean allTasksRunning(JobID job) throws Exception {
        var graph = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS);
        for (var vertex : graph.getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) return false;
        }
        return true;
    }

    /** Trigger time (epoch ms) of the job's newest completed checkpoint, or -1 when none has completed. */
    public long latestCompletedCheckpointTriggeredAt(JobID job) throws Exception {
        CompletedCheckpointStats latest = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
        return latest == null ? -1 : latest.getTriggerTimestamp();
    }

    /** Checkpoint statistics of a job, also once it has finished: the benchmark reports checkpoint sizes. */
    /** The checkpoint interval the running {@code job} took (none when it does not checkpoint): config.yaml's or its own. */
    public Optional<Duration> checkpointInterval(JobID job) throws Exception {
        var coordinator = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS).getCheckpointCoordinatorConfiguration();
        if (coordinator == null || !coordinator.isCheckpointingEnabled()) return Optional.empty();
        return Optional.of(Duration.ofMillis(coordinator.getCheckpointInterval()));
    }

    public org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot checkpointStats(JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
    }

    @Override
    public void close() throws Exception {
        RunGuard.stopped(this);
        try {
            cluster.closeAsync().get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            scratch.close();
        }
    }

    @FunctionalInterface
    public interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    /** Submits jobs to this cluster, as Flink's local executor does to the per-job cluster it starts. */
    private final class ClusterExecutor implements PipelineExecutorServiceLoader, PipelineExecutorFactory, PipelineExecutor {
        static final String NAME = "churn-radar-local";

        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(getName());
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration configuration) {
            return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration configuration) {
            return this;
        }

        @Override
        public CompletableFuture<JobClient> execute(Pipeline pipeline, Configuration configuration, ClassLoader classLoader)
                throws Exception {
            StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
            graph.serializeUserDefinedInstances();
            return cluster.submitJob(graph).thenApply(submitted -> new MiniClusterJobClient(
                    submitted.getJobID(), cluster, classLoader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
        }
    }

    /** Reaches the protected hooks through which Flink's own test environments replace the default one. */
    private abstract static class ContextEnvironment extends StreamExecutionEnvironment {
        static void install(StreamExecutionEnvironmentFactory factory) {
            initializeContextEnvironment(factory);
        }

        static void reset() {
            resetContextEnvironment();
        }
    }
}
