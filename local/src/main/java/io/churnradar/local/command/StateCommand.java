package io.churnradar.local.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./churn-radar state ...}: the group of commands on the job's state (export, for now). */
@Command(name = "state", header = "the streaming job's state in savepoints, for analysts (state export)",
        synopsisSubcommandLabel = "export", subcommands = StateExportCommand.class,
        description = "Reads savepoints and retained checkpoints of the streaming job; docs/analysts.md.")
final class StateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Override
    public Integer call() {
        throw Values.usage(spec, "a subcommand is needed");
    }
}
