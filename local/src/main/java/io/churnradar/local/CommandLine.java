package io.churnradar.local;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The launcher's commands and their options, declared once: parsing and every help text come from the
 * same declarations, so the help cannot forget an option.
 */
public final class CommandLine {
    /** An option; {@code valueName} is null for a flag; a repeatable one may be given several times. */
    public record Option(String name, String valueName, String help, boolean required, boolean repeatable) {
        Option(String name, String valueName, String help) {
            this(name, valueName, help, false, false);
        }

        static Option required(String name, String valueName, String help) {
            return new Option(name, valueName, help, true, false);
        }

        static Option requiredRepeatable(String name, String valueName, String help) {
            return new Option(name, valueName, help, true, true);
        }

        String synopsis() {
            return valueName == null ? name : name + " " + valueName;
        }
    }

    /** A required positional argument, e.g. FILE. */
    public record Argument(String name, String help) {}

    /** A subcommand with its arguments and options; a name of two words ("rules validate") is a command of a group. */
    public record Command(String name, String summary, String description, List<Argument> arguments, List<Option> options) {
        Command(String name, String summary, String description, List<Option> options) {
            this(name, summary, description, List.of(), options);
        }

        public Option option(String name) {
            return options.stream().filter(o -> o.name.equals(name)).findFirst().orElse(null);
        }

        /** The first word of the name: the command, or its group. */
        String group() {
            int space = name.indexOf(' ');
            return space < 0 ? name : name.substring(0, space);
        }

        String synopsis() {
            return "./churn-radar " + name + arguments.stream().map(a -> " " + a.name()).collect(Collectors.joining())
                    + options.stream().map(o -> o.required ? " " + o.synopsis() : " [" + o.synopsis() + "]").collect(Collectors.joining());
        }

        public String help() {
            StringBuilder b = new StringBuilder();
            b.append("Usage: ").append(synopsis()).append("\n\n").append(description).append("\n");
            if (!arguments.isEmpty()) {
                b.append("\nArguments:\n");
                for (Argument a : arguments) {
                    b.append(String.format("  %-32s %s%n", a.name(), a.help().replace("\n", "\n" + " ".repeat(35))));
                }
            }
            if (!options.isEmpty()) {
                b.append("\nOptions:\n");
                for (Option o : options) {
                    b.append(String.format("  %-32s %s%n", o.synopsis(), o.help().replace("\n", "\n" + " ".repeat(35))));
                }
            }
            b.append(String.format("  %-32s %s%n", "--help", "Show this help."));
            return b.toString();
        }
    }

    public static final Command DEMO = new Command("demo",
            "Kafka, the job, simulated customers and live alerts, all in this process",
            """
            Starts a Kafka broker and Flink in this process, runs the churn-radar job on them, plays
            simulated customer accounts into the event topics in accelerated time and prints each
            alert as the job commits it (read_committed, once per checkpoint). Ends by itself after
            the simulated period with a summary, or on Ctrl-C; leaves no process or temp folder behind.""",
            List.of(
                    new Option("--accounts", "N", "Simulated customer accounts (default 300). One in five heads toward churn."),
                    new Option("--days", "N", "Days of simulated history (default 45; USAGE_DROP needs about 25)."),
                    new Option("--speed", "X", "Simulated seconds per real second (default 43200, i.e. 12 h a second:\n"
                            + "45 days take about 90 s)."),
                    new Option("--seed", "N", "Seed of the simulation (default 42): the same seed, the same customers."),
                    new Option("--webhook", "URL", "Also POST every command to this URL (JSON, docs/webhooks.md), e.g. a local\n"
                            + "catch hook; the commands are printed either way."),
                    new Option("--no-web-ui", null, "Do not serve Flink's web UI on localhost:8081.")));

    public static final Command RUN = new Command("run",
            "the streaming job in a local Flink, against your Kafka cluster, until Ctrl-C",
            """
            Runs the churn-radar streaming job in a local Flink (config flink-conf/local/config.yaml) against
            the Kafka cluster named in the job config, until Ctrl-C. The topics must exist (it says which
            do not). Checkpoints go to a temp folder that is deleted at exit: a restart resumes from the
            consumer group's committed offsets and re-reads the rules topic (docs/rules.md).""",
            List.of(
                    new Option("--config", "FILE", "Job config (YAML): kafka, topics, inputs, formats, eventTime, state;\n"
                            + "flink-conf/churn-radar.yaml documents every key, docs/inputs.md the formats.\n"
                            + "Default: the defaults it lists (Kafka at localhost:9092)."),
                    new Option("--rules", "FILE", "Detection rules (YAML) until a rule set is published on the rules topic.\n"
                            + "Default: jobs/src/main/resources/rules/default-rules.yaml."),
                    new Option("--no-web-ui", null, "Do not serve Flink's web UI on localhost:8081.")));

    public static final Command BACKTEST = new Command("backtest",
            "the detection over event files (ours, Stripe, Segment, Zendesk, surveys), alerts to a folder",
            """
            Runs the detection of the streaming job over event files and writes alerts.jsonl, health.jsonl,
            dead-letter.jsonl and summary.json into the output folder. Our own files are JSON Lines, one event
            a line, e.g. {"type":"usage","eventId":"e-17","accountId":"acct-1","eventTime":"2026-03-02T10:15:00Z",
            "feature":"reports","quantity":3}. Payloads of other formats (stripe, segment, zendesk, survey, json)
            are read as they arrive, a line each (.jsonl, .jsonl.gz) or a .json file of one payload or an array;
            several inputs are merged by event time, each read oldest first (docs/inputs.md).""",
            List.of(
                    Option.requiredRepeatable("--events", "[FORMAT=]PATH", "A file, or a folder searched for .jsonl, .jsonl.gz (and .json) files\n"
                            + "(required). FORMAT: churn-radar (default), json, stripe, segment, zendesk,\n"
                            + "survey. Repeatable: e.g. --events stripe=stripe.jsonl --events segment=seg/."),
                    Option.required("--out", "DIR", "Folder for alerts.jsonl, health.jsonl, dead-letter.jsonl, summary.json\n"
                            + "(required)."),
                    new Option("--config", "FILE", "Job settings (YAML) whose formats section sets the mappings, e.g. the\n"
                            + "account's metadata key in Stripe (flink-conf/churn-radar.yaml)."),
                    new Option("--rules", "FILE", "Detection rules (YAML). Default: the built-in default rules."),
                    new Option("--parallelism", "N", "Parallelism of the detection (default: parallelism.default of\n"
                            + "flink-conf/local/config.yaml)."),
                    new Option("--max-out-of-orderness", "DURATION", "How late an event may arrive and still count in order,\n"
                            + "e.g. 30s, 10m, 2h (default 10m)."),
                    new Option("--now", "INSTANT", "The end of the history, e.g. 2026-04-01T00:00:00Z: an event more than\n"
                            + "--max-ahead after it is dead-lettered (default: judged against the event time\n"
                            + "reached so far)."),
                    new Option("--max-ahead", "DURATION", "How far ahead of --now, or of the event time reached, an event\n"
                            + "may be dated (default 30d); further ahead it is dead-lettered."),
                    new Option("--max-line-bytes", "N", "A longer line is dead-lettered with its first 64 KiB, size and\n"
                            + "SHA-256 (default 262144, 1024..16777216).")));

    public static final Command CONVERT = new Command("convert",
            "map a file of Stripe, Segment, Zendesk or survey payloads to our events, to check a mapping",
            """
            Maps each payload of a file as the job and the backtest would (docs/inputs.md has every mapping) and
            writes the events, in our JSON Lines, to the output file, and every payload rejected or skipped, with
            its reason, file and line, to OUT.rejected.jsonl beside it. Prints a count per event type and per
            reason. The events file is a backtest input as it is. Needs neither Kafka nor Flink.""",
            List.of(
                    Option.required("--format", "FORMAT", "stripe, segment, zendesk, survey, json or churn-radar (required)."),
                    Option.required("--in", "PATH", "A .jsonl, .jsonl.gz or .json file of payloads, or a folder of them\n"
                            + "(required)."),
                    Option.required("--out", "FILE", "Where the events go, e.g. events.jsonl (required); the rejected\n"
                            + "payloads go to events.rejected.jsonl beside it."),
                    new Option("--config", "FILE", "Job settings (YAML) whose formats section sets the mappings.")));

    private static final Argument RULES_FILE = new Argument("FILE", "A rules file (YAML), in the format of\n"
            + "jobs/src/main/resources/rules/default-rules.yaml.");

    public static final Command RULES_VALIDATE = new Command("rules validate",
            "check a rules file offline, as the job does before it applies one",
            """
            Checks a rules file as the running job checks a rule set published on the rules topic before it
            applies it: every key, value and range, each error named with its key path (for example
            signals.inactivity.days). Prints "FILE: valid, version X", or each error. Exit code 0 when the
            file is valid, 1 when it is not. Needs neither Kafka nor Flink.""",
            List.of(RULES_FILE), List.of());

    public static final Command RULES_PUBLISH = new Command("rules publish",
            "validate a rules file, then publish it to the running job's rules topic",
            """
            Validates a rules file (as 'rules validate' does) and, when it is valid, produces its text to the
            rules topic (key "rules"), from which the running job applies it without a restart. The job
            answers APPLIED or REJECTED (with each error) on the rules status topic; with --wait this command
            waits for that answer and prints it. Exit code 0 when published (and, with --wait, applied),
            1 when the file is not valid, was rejected, or no answer came in time. See docs/rules.md.""",
            List.of(RULES_FILE),
            List.of(
                    Option.required("--bootstrap-servers", "HOST:PORT", "Kafka bootstrap servers of the job's cluster (required)."),
                    new Option("--topic", "TOPIC", "Rules topic (default churn.rules)."),
                    new Option("--wait", "DURATION", "Wait up to this long (e.g. 30s) for the job's answer and print it."),
                    new Option("--status-topic", "TOPIC", "Where the job answers (default churn.rules-status); with --wait.")));

    public static final Command STATE_EXPORT = new Command("state export",
            "the detector's per-account state of a savepoint, one row per account, for analysts",
            """
            Reads a savepoint or retained checkpoint of the streaming job with Flink's State Processor API and
            writes one row per account to DIR/accounts.parquet (or .csv, .jsonl): usage of the last 14 closed
            days, last login, failure streak, open signals and their episodes, health score, tier and components, renewal
            date, MRR, plan and the pending deadline, as of the state's last closed day. docs/analysts.md
            describes each column and shows queries with DuckDB.""",
            List.of(
                    Option.required("--savepoint", "PATH", "Folder of a savepoint or retained checkpoint (the one holding _metadata)\n"
                            + "of the churn-radar streaming job (required)."),
                    Option.required("--out", "DIR", "Output folder, created if missing (required)."),
                    new Option("--format", "FORMAT", "parquet (default), csv or jsonl.")));

    public static final Command HELP = new Command("help", "this help", "Describes every command and option.", List.of());

    public static final List<Command> COMMANDS = List.of(DEMO, RUN, BACKTEST, CONVERT, BenchCommand.COMMAND, RULES_VALIDATE, RULES_PUBLISH,
            STATE_EXPORT, HELP);

    private CommandLine() {}

    public static Command command(String name) throws UsageException {
        for (Command c : COMMANDS) {
            if (c.name.equals(name)) return c;
        }
        throw new UsageException("unknown command '" + name + "'; allowed: " + String.join(", ", groups()));
    }

    /** The first words of the commands: demo, run, backtest, rules, help. */
    static List<String> groups() {
        return COMMANDS.stream().map(Command::group).distinct().toList();
    }

    /** The commands of a group ("rules"), or the one command of that name. */
    static List<Command> commandsOf(String group) {
        return COMMANDS.stream().filter(c -> c.group().equals(group)).toList();
    }

    /** Whether the word names a group of several commands, such as "rules". */
    static boolean isGroup(String word) {
        return commandsOf(word).stream().anyMatch(c -> !c.name.equals(word));
    }

    /** Help of every command of a group. */
    static String groupHelp(String group) {
        return commandsOf(group).stream().map(Command::help).collect(Collectors.joining("\n"));
    }

    public static String overview() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: ./churn-radar COMMAND [OPTIONS]\n\n");
        b.append("Churn Radar on this machine: churn-risk alerts from account events, with Apache Flink.\n\nCommands:\n");
        for (Command c : COMMANDS) b.append(String.format("  %-15s %s%n", c.name, c.summary));
        for (Command c : COMMANDS) {
            if (c == HELP) continue;
            b.append("\n").append("-".repeat(100)).append("\n").append(c.help());
        }
        b.append("\nRun './churn-radar COMMAND --help' for one command alone.\n");
        return b.toString();
    }

    /** Parsed options of one command: values by option name; a flag maps to "true". */
    public record Parsed(Command command, Map<String, String> values, Map<String, List<String>> repeated, boolean helpRequested) {
        public String get(String name) {
            return values.get(name);
        }

        /** Every value of a repeatable option, in the order given. */
        public List<String> all(String name) {
            return repeated.getOrDefault(name, List.of());
        }

        public boolean has(String name) {
            return values.containsKey(name);
        }

        public String required(String name) throws UsageException {
            String v = values.get(name);
            if (v == null) throw new UsageException(command.name + ": " + name + " " + command.option(name).valueName + " is required");
            return v;
        }

        /** A positional argument; parsing made sure it is there. */
        public String argument(String name) {
            return values.get(name);
        }

        public int integer(String name, int dflt, int min, int max) throws UsageException {
            String v = values.get(name);
            if (v == null) return dflt;
            try {
                int n = Integer.parseInt(v.replace("_", ""));
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException(command.name + ": " + name + " must be a whole number from " + min + " to " + max + ", got '" + v + "'");
        }

        public double number(String name, double dflt, double min, double max) throws UsageException {
            String v = values.get(name);
            if (v == null) return dflt;
            try {
                double n = Double.parseDouble(v.replace("_", ""));
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new UsageException(command.name + ": " + name + " must be a number from " + fmt(min) + " to " + fmt(max) + ", got '" + v + "'");
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }

    /**
     * Parses the command's arguments in order, {@code --name value}, {@code --name=value} and flags;
     * rejects anything else by name.
     */
    public static Parsed parse(Command command, List<String> args) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        boolean help = false;
        int positional = 0;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("-") && positional < command.arguments.size()) {
                values.put(command.arguments.get(positional++).name(), arg);
                continue;
            }
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            Option o = command.option(name);
            if (o == null) {
                List<String> allowed = new ArrayList<>();
                command.options.forEach(x -> allowed.add(x.name));
                allowed.add("--help");
                throw new UsageException(command.name + ": unknown " + (arg.startsWith("-") ? "option" : "argument")
                        + " '" + arg + "'; allowed: " + String.join(", ", allowed));
            }
            if (values.containsKey(name) && !o.repeatable) throw new UsageException(command.name + ": " + name + " is given twice");
            if (o.valueName == null) {
                if (inline != null) throw new UsageException(command.name + ": " + name + " takes no value");
                values.put(name, "true");
            } else if (inline != null) {
                values.put(name, inline);
                repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(inline);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                values.put(name, args.get(++i));
                repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(values.get(name));
            } else {
                throw new UsageException(command.name + ": " + name + " needs a value: " + o.synopsis());
            }
        }
        if (!help && positional < command.arguments.size()) {
            throw new UsageException(command.name + ": " + command.arguments.get(positional).name() + " is required: " + command.synopsis());
        }
        return new Parsed(command, values, repeated, help);
    }
}
