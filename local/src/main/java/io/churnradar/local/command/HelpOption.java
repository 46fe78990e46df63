package io.churnradar.local.command;

import picocli.CommandLine.Option;

/** {@code --help} of every command (mixed in), so that each one's help is generated from its own options. */
public final class HelpOption {
    @Option(names = {"--help", "-h"}, usageHelp = true, description = "Show this help.")
    boolean help;
}
