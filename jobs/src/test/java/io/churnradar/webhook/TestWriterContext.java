package io.churnradar.webhook;

import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * What a sink writer gets from its task, for a writer driven by the test thread: a real mailbox
 * owned by the creating thread (the writer's {@code flush} runs the mails that complete requests),
 * and a processing-time clock that only moves when the test moves it, so the buffer's timer never
 * sends a batch behind the test's back.
 */
final class TestWriterContext implements WriterInitContext {
    private final MailboxExecutor mailbox =
            new MailboxExecutorImpl(new TaskMailboxImpl(Thread.currentThread()), Integer.MAX_VALUE, StreamTaskActionExecutor.IMMEDIATE);
    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final SinkWriterMetricGroup metrics =
            InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        return new UserCodeClassLoader() {
            @Override
            public ClassLoader asClassLoader() {
                return TestWriterContext.class.getClassLoader();
            }

            @Override
            public void registerReleaseHookIfAbsent(String name, Runnable hook) {}
        };
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        return mailbox;
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return time;
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return metrics;
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        throw new UnsupportedOperationException("the webhook writer serializes nothing through Flink");
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return false;
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        throw new UnsupportedOperationException("the webhook writer copies no input");
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        return OptionalLong.empty();
    }

    @Override
    public JobInfo getJobInfo() {
        return new JobInfoImpl(new JobID(), "webhook-writer-test");
    }

    @Override
    public TaskInfo getTaskInfo() {
        return new TaskInfoImpl("webhook-sink", 1, 0, 1, 0);
    }
}
