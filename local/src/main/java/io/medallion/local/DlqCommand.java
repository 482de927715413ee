package io.medallion.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = "Work with dead-letter topics.",
    subcommands = DlqReplayCommand.class)
final class DlqCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
