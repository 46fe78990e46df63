package io.churnradar.local.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./churn-radar} itself: its subcommands, and the exit codes every one of them shares. */
@Command(name = "./churn-radar",
        description = "Churn Radar on this machine: churn-risk alerts from account events, with Apache Flink.",
        synopsisSubcommandLabel = "COMMAND",
        versionProvider = VersionProvider.class,
        subcommands = {DemoCommand.class, RunCommand.class, BacktestCommand.class, TrainCommand.class, ConvertCommand.class, BenchCommand.class,
                RulesCommand.class, StateCommand.class, HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:failed: the job failed or ran out of memory (the message says which and what to change), a rules file is"
                        + " not valid or was rejected",
                "2:bad command line, or bad config or rules file (the message names the option or key and what is allowed)",
                "130:interrupted (Ctrl-C); 143 when stopped by SIGTERM",
                "239:Flink stopped the JVM after a fatal error in one of its threads, usually out of memory (the message says"
                        + " what to change)"},
        footer = {"%nRun './churn-radar help' for every command and option, './churn-radar COMMAND --help' for one.",
                "Temporary folders are removed however a command ends (after kill -9, by the next command that makes one of their kind)."})
final class ChurnRadarCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = {"--version", "-V"}, versionHelp = true, description = "Print the versions of Churn Radar, Flink, Kafka's clients and Java.")
    boolean version;

    @Override
    public Integer call() {
        throw Values.usage(spec, "a command is needed");
    }
}
