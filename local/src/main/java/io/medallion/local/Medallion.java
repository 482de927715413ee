package io.medallion.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code medallion} command: the whole lakehouse on a laptop, one job locally, or test data. */
@Command(
    name = "medallion",
    mixinStandardHelpOptions = true,
    description = "Streaming medallion lakehouse on Apache Flink: demo, soak, kafka, generate, run, bench, query, dlq, audit.",
    subcommands = {DemoCommand.class, SoakCommand.class, RunCommand.class, GenerateCommand.class, KafkaCommand.class, BenchCommand.class, FreshnessBenchCommand.class, MicrobenchCommand.class, QueryCommand.class, DlqCommand.class, AuditCommand.class})
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
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(
            (e, cmd, parseResult) -> {
              cmd.getErr().println("medallion: " + messageOf(e));
              return 1;
            });
  }

  /** Each distinct message down the cause chain: "failed to X: because Y: because Z". */
  private static String messageOf(Throwable e) {
    StringBuilder text = new StringBuilder();
    String previous = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
      if (previous == null || !previous.contains(message)) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
      previous = message;
    }
    return text.toString();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
