package io.medallion.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code medallion} command: the whole lakehouse on a laptop, one job locally, or test data. */
@Command(
    name = "medallion",
    mixinStandardHelpOptions = true,
    description = "Streaming medallion lakehouse on Apache Flink: demo, kafka, generate, run, bench.",
    subcommands = {DemoCommand.class, RunCommand.class, GenerateCommand.class, KafkaCommand.class, BenchCommand.class})
public final class Medallion implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int exitCode;
    try {
      exitCode = commandLine().execute(args);
    } catch (Throwable fatal) {
      // An Error escapes picocli's handler; exit anyway, or the broker's threads keep the JVM alive.
      fatal.printStackTrace();
      exitCode = 70;
    }
    System.exit(exitCode);
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
