package io.churnradar.bench.micro;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link HotPathBenchmarks} and {@link HealthOutputBenchmarks} with JMH, its progress and result table to
 * {@code out}. JMH's own command-line options (e.g. {@code -f 0 -wi 1 -i 1 -w 100ms -r 100ms}, or a regular expression
 * of the benchmarks to run) override the defaults annotated on the benchmarks.
 */
public final class MicroBenchmarks {
    /** The classes of our benchmarks, run when the command line names none. */
    private static final List<Class<?>> BENCHMARKS = List.of(HotPathBenchmarks.class, HealthOutputBenchmarks.class);

    private MicroBenchmarks() {}

    /** Our benchmarks as {@code Class.method}, for a command line whose expression matched none of them. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : BENCHMARKS) {
            Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class))
                    .map(m -> c.getSimpleName() + "." + m.getName()).sorted().forEach(names::add);
        }
        return names;
    }

    public static Collection<RunResult> run(String[] jmhArgs, PrintStream out) throws CommandLineOptionException, RunnerException {
        CommandLineOptions cli = new CommandLineOptions(jmhArgs);
        OptionsBuilder b = new OptionsBuilder();
        b.parent(cli);
        // Ours only, unless the command line names benchmarks itself.
        if (cli.getIncludes().isEmpty()) {
            for (Class<?> c : BENCHMARKS) b.include(c.getName());
        }
        Options options = b.build();
        Path lock = lockFile();
        boolean ours = !Files.exists(lock);
        try {
            return new Runner(options, OutputFormatFactory.createFormatInstance(out, cli.verbosity().orElse(VerboseMode.NORMAL))).run();
        } finally {
            // JMH locks this file against a second JMH run on the machine and leaves it behind: gone again when this run made it.
            if (ours) {
                try {
                    Files.deleteIfExists(lock);
                } catch (IOException e) {
                    out.println("Could not remove JMH's lock file " + lock + ": " + e.getMessage());
                }
            }
        }
    }

    /** JMH's lock file: {@code jmh.lock} in the temp folder. */
    private static Path lockFile() {
        return Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
    }
}
