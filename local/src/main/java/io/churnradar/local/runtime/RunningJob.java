package io.churnradar.local.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * A submitted job; closing it cancels the job and waits until it has stopped, so that the local Flink is not closed
 * under running tasks (which logs each task's failure with a stack).
 */
public final class RunningJob implements AutoCloseable {
    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(60);

    private final JobClient client;

    public RunningJob(JobClient client) {
        this.client = client;
    }

    public JobClient client() {
        return client;
    }

    public JobStatus status() throws Exception {
        return client.getJobStatus().get(30, TimeUnit.SECONDS);
    }

    /** Waits until the job runs; false when it stopped, {@code stop} said so, or the time ran out. */
    public boolean awaitRunning(Duration timeout, BooleanSupplier stop) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
            JobStatus s = status();
            if (s == JobStatus.RUNNING) return true;
            if (s.isGloballyTerminalState()) return false;
            Thread.sleep(100);
        }
        return false;
    }

    /** Why the job failed, or null. */
    public Throwable failureCause() {
        try {
            client.getJobExecutionResult().get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Override
    public void close() throws Exception {
        if (status().isGloballyTerminalState()) return;
        ExpectedFailureLogging.quietDeclinedCheckpoints();
        client.cancel().get(CANCEL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + CANCEL_TIMEOUT.toNanos();
        while (!status().isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the job did not stop within " + CANCEL_TIMEOUT);
            Thread.sleep(100);
        }
    }
}
