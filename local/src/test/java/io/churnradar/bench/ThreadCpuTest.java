package io.churnradar.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.churnradar.testing.Deadline;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void readsUserAndSystemTicksPastANameWithSpacesAndParentheses() {
        String stat = "4242 (Source: a) b (1/2)) R 1 2 3 4 5 6 7 8 9 10 1234 56 0 0 20 0 1 0";
        assertThat(ThreadCpu.ticks(stat)).isEqualTo(1234 + 56);
    }

    @Test
    void tellsTheKindOfAThreadByTheNameLinuxKeeps() {
        Set<String> tasks = Set.of("Detect churn signals -> (Alerts to files: Writer) (1/2)#0", "Stateless touch -> Discard (2/2)#0");
        assertThat(ThreadCpu.kind("C2 CompilerThre", tasks)).isEqualTo(ThreadCpu.Kind.JIT);
        assertThat(ThreadCpu.kind("C1 CompilerThre", tasks)).isEqualTo(ThreadCpu.Kind.JIT);
        assertThat(ThreadCpu.kind("GC Thread#1", tasks)).isEqualTo(ThreadCpu.Kind.GC_AND_VM);
        assertThat(ThreadCpu.kind("G1 Conc#0", tasks)).isEqualTo(ThreadCpu.Kind.GC_AND_VM);
        assertThat(ThreadCpu.kind("VM Thread", tasks)).isEqualTo(ThreadCpu.Kind.GC_AND_VM);
        assertThat(ThreadCpu.kind("rocksdb:low", tasks)).isEqualTo(ThreadCpu.Kind.ROCKSDB);
        assertThat(ThreadCpu.kind("Source Data Fet", tasks)).isEqualTo(ThreadCpu.Kind.SOURCES);
        assertThat(ThreadCpu.kind("Source: Input f", tasks)).isEqualTo(ThreadCpu.Kind.SOURCES);
        assertThat(ThreadCpu.kind("Detect churn si", tasks)).isEqualTo(ThreadCpu.Kind.OPERATORS);
        assertThat(ThreadCpu.kind("Stateless touch", tasks)).isEqualTo(ThreadCpu.Kind.OPERATORS);
        // Linux keeps 15 bytes: a name cut after a space loses it.
        assertThat(ThreadCpu.commOf("Stateless touch -> Discard")).isEqualTo("Stateless touch");
        assertThat(ThreadCpu.kind("flink-pekko.act", tasks)).isEqualTo(ThreadCpu.Kind.OTHER);
        assertThat(ThreadCpu.kind("java", tasks)).isEqualTo(ThreadCpu.Kind.OTHER);
    }

    @Test
    void countsTheCpuOfAFlinkTaskThreadAsOperators() throws Exception {
        assumeTrue(ThreadCpu.available(), "Linux's /proc");
        ThreadGroup flinkTasks = new ThreadGroup(ThreadCpu.FLINK_TASK_THREADS);
        CountDownLatch busyEnough = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(1);
        long spinNanos = Duration.ofMillis(300).toNanos();
        Thread task = new Thread(flinkTasks, () -> {
            var bean = ManagementFactory.getThreadMXBean();
            long x = 0;
            while (bean.getCurrentThreadCpuTime() < spinNanos) x += System.nanoTime() % 7; // CPU of its own
            if (x == 42) System.out.print("");
            busyEnough.countDown();
            try {
                measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "Detect churn signals (1/1)#0");
        try (ThreadCpu cpu = ThreadCpu.start(Duration.ofMillis(50))) {
            Map<ThreadCpu.Kind, Double> before = cpu.now();
            task.start();
            Deadline wait = Deadline.in(Duration.ofSeconds(60));
            wait.pollUntil("the task thread's 300 ms of CPU", () -> busyEnough.getCount() == 0);

            Map<ThreadCpu.Kind, Double> spent = ThreadCpu.between(before, cpu.now());

            // Ticks are 10 ms: the thread's 300 ms show as at least 0.28 s; the sampler and this test count elsewhere.
            assertThat(spent.get(ThreadCpu.Kind.OPERATORS)).isGreaterThanOrEqualTo(0.28);
            assertThat(spent).containsOnlyKeys(ThreadCpu.Kind.values());
            assertThat(spent.values()).allSatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(0));
        } finally {
            measured.countDown();
            task.join();
        }
    }
}
