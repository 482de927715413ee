package io.medallion.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code medallion} command: the whole lakehouse on a laptop, one job locally, or test data. */
@Command(
    name = "medallion",
    mixinStandardHelpOptions = true,
    description = "Streaming medallion lakehouse on Apache Flink: demo, run, generate.",
    subcommands = {DemoCommand.class, RunCommand.class, GenerateCommand.class})
public final class Medallion implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Medallion())
        .setExecutionExceptionHandler(
            (e, cmd, parseResult) -> {
              cmd.getErr().println("medallion: " + messageOf(e));
              return 1;
            });
  }

  private static String messageOf(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
