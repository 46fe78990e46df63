package io.churnradar.local.command;

import io.churnradar.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * How the launcher reads option values (picocli converts with these; its message is
 * "Invalid value for option '--x': " followed by ours) and checks their ranges, so that every bad value
 * names the option and what is allowed.
 */
final class Values {
    private Values() {}

    /** Registers the converters on a command line and every subcommand it holds already. */
    static CommandLine register(CommandLine cl) {
        cl.registerConverter(Integer.class, Values::integer);
        cl.registerConverter(Integer.TYPE, Values::integer);
        cl.registerConverter(Long.class, Values::longInteger);
        cl.registerConverter(Long.TYPE, Values::longInteger);
        cl.registerConverter(Double.class, Values::number);
        cl.registerConverter(Double.TYPE, Values::number);
        cl.registerConverter(Duration.class, Values::duration);
        cl.registerConverter(Instant.class, Values::instant);
        return cl;
    }

    /** A whole number; underscores group digits (1_000_000). */
    static int integer(String text) {
        try {
            return Integer.parseInt(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static long longInteger(String text) {
        try {
            return Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static double number(String text) {
        try {
            double d = Double.parseDouble(text.replace("_", ""));
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TypeConversionException("'" + text + "' is not a number");
    }

    /**
     * Flink's duration syntax (as in its config.yaml), read as the config files read it ({@link Durations}): a number
     * and a unit, e.g. 500ms, 30s, 10m, 10 min, 2h, 30d, 1 day; a number alone is refused.
     */
    static Duration duration(String text) {
        Duration d = Durations.parse(text);
        if (d != null) return d;
        if (Durations.lacksUnit(text)) {
            String n = text.trim();
            throw new TypeConversionException("'" + text + "' has no unit: write it as " + n + "ms, " + n + "s, " + n + "m, " + n + "h or " + n + "d");
        }
        throw new TypeConversionException("'" + text + "' is not a duration such as 500ms, 30s, 10m, 2h or 30d");
    }

    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + text + "' is not an instant such as 2026-04-01T00:00:00Z");
        }
    }

    /** A usage error of this command: exit code 2, the message, and where to find the options. */
    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * The folder an option names for a command's results, checked before anything runs: a file there, or a file where
     * one of its missing parents would go, is a usage error. The folder itself is created when the results are written.
     */
    static Path outputFolder(CommandSpec spec, String option, Path given) {
        Path dir = given.toAbsolutePath().normalize();
        Path file = fileInTheWay(dir);
        if (file == null) return dir;
        throw usage(spec, option + " " + dir + (file.equals(dir) ? " is a file; give a folder (it is created if missing)"
                : ": " + file + " is a file, so the folder cannot be created there"));
    }

    /**
     * The file an option names for a command to write, checked before anything runs, so that a long run does not end
     * unable to write what it made: a folder there, or a file where one of its folders would go, is a usage error. Its
     * missing folders are created now, as the writers expect them.
     */
    static Path outputFile(CommandSpec spec, String option, Path given) throws IOException {
        Path file = given.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) {
            throw usage(spec, option + " " + file + " is a folder; give a file, e.g. " + file.resolve("out-" + file.getFileName()));
        }
        Path parent = file.getParent();
        if (parent == null) return file;
        Path blocking = fileInTheWay(parent);
        if (blocking != null) throw usage(spec, option + " " + file + ": " + blocking + " is a file, so its folder cannot be created");
        Files.createDirectories(parent);
        return file;
    }

    /**
     * A file a command writes under what {@code option} names ({@code given}): a folder in its place is a usage error
     * before anything runs, not a failure once the run is done. {@code what} says what goes there.
     */
    static void noFolderAt(CommandSpec spec, String option, Path given, Path file, String what) {
        if (Files.isDirectory(file)) {
            throw usage(spec, option + " " + given + ": " + file + " is a folder, where " + what + "; move it, or give another " + option);
        }
    }

    /** {@code dir} or its nearest parent that exists, when that is not a folder; null when {@code dir} is or can be made one. */
    private static Path fileInTheWay(Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing != null && !Files.isDirectory(existing) ? existing : null;
    }

    static int range(CommandSpec spec, String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw usage(spec, option + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
        }
        return value;
    }

    static Duration range(CommandSpec spec, String option, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw usage(spec, option + " must be from " + Durations.format(min) + " to " + Durations.format(max) + ", got '"
                    + Durations.format(value) + "'");
        }
        return value;
    }

    static double range(CommandSpec spec, String option, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw usage(spec, option + " must be a number from " + fmt(min) + " to " + fmt(max) + ", got '" + fmt(value) + "'");
        }
        return value;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
