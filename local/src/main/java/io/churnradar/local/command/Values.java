package io.churnradar.local.command;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.util.TimeUtils;
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
     * Flink's duration syntax (as in its config.yaml): a number and a unit, e.g. 500ms, 30s, 10m, 10 min, 2h,
     * 30d, 1 day; a number alone is milliseconds; ISO-8601 (PT1H) too.
     */
    static Duration duration(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + text + "' is not a duration such as 500ms, 30s, 10m, 2h or 30d");
        }
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

    static int range(CommandSpec spec, String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw usage(spec, option + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
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
