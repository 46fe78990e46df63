package io.churnradar.local.command;

import io.churnradar.testing.Deadline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

/**
 * The launcher in a child JVM of {@link FatalEndTest}: {@code FatalChild MODE ARGS...} runs {@code Main.main(ARGS)}
 * and, in mode {@code flink-thread} or {@code own-thread}, once the run's Flink has its temp folder, makes a thread
 * die of a real OutOfMemoryError (an array larger than any heap): one of Flink's threads (whose handler exits the JVM
 * with status 239, as in the MiniCluster), or a thread without a handler of its own. Mode {@code plain} adds nothing.
 */
public final class FatalChild {
    private FatalChild() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String[] launcher = Arrays.copyOfRange(args, 1, args.length);
        if (!mode.equals("plain")) {
            Thread trigger = new Thread(() -> {
                try {
                    awaitFlinkFolder();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                Runnable allocate = () -> {
                    long[] tooLarge = new long[Integer.MAX_VALUE - 16];
                    System.out.println(tooLarge.length); // not reached
                };
                Thread t = mode.equals("flink-thread") ? new ExecutorThreadFactory("flink-test-fatal").newThread(allocate)
                        : new Thread(allocate, "churn-radar-test-fatal");
                t.start();
            }, "fatal-child-trigger");
            trigger.setDaemon(true);
            trigger.start();
        }
        Main.main(launcher);
    }

    private static void awaitFlinkFolder() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Deadline.in(Duration.ofMinutes(2)).pollUntil("the run's Flink folder", () -> {
            try (Stream<Path> s = Files.list(tmp)) {
                return s.anyMatch(p -> p.getFileName().toString().startsWith("churn-radar-flink-"));
            }
        });
    }
}
