package io.churnradar.local.command;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./churn-radar help [COMMAND [SUBCOMMAND]]}: the overview and every command's generated help, or one
 * command's (or group's) alone. picocli's own help command looks one level deep only; {@code rules publish} is two.
 */
@Command(name = "help", header = "this help: every command and option, or one command's",
        description = "Describes every command and option, or those of the command named (e.g. help rules publish).")
final class HelpCommand implements Callable<Integer> {
    private static final String RULE = "-".repeat(100);

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(arity = "0..2", paramLabel = "COMMAND", description = "A command, or a group and its subcommand (rules publish).")
    List<String> words = new ArrayList<>();

    private final PrintStream out;

    HelpCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine root = spec.commandLine().getParent();
        if (words.isEmpty()) {
            out.print(overview(root));
            return 0;
        }
        CommandLine target = root;
        for (String word : words) {
            CommandLine next = target.getSubcommands().get(word);
            if (next == null) {
                throw Values.usage(spec, "unknown command '" + String.join(" ", words) + "'; allowed: "
                        + String.join(", ", target.getSubcommands().keySet()));
            }
            target = next;
        }
        out.print(usageWithSubcommands(target));
        return 0;
    }

    /** The top-level help, then every command's, so that one page describes every option. */
    static String overview(CommandLine root) {
        StringBuilder b = new StringBuilder(root.getUsageMessage());
        for (CommandLine c : root.getSubcommands().values()) {
            if (c.getCommandSpec().userObject() instanceof HelpCommand) continue;
            b.append('\n').append(RULE).append('\n').append(usageWithSubcommands(c));
        }
        return b.toString();
    }

    /** A command's help; a group's (rules, state) is followed by each of its subcommands'. */
    static String usageWithSubcommands(CommandLine c) {
        StringBuilder b = new StringBuilder(c.getUsageMessage());
        for (CommandLine sub : c.getSubcommands().values()) b.append('\n').append(usageWithSubcommands(sub));
        return b.toString();
    }
}
