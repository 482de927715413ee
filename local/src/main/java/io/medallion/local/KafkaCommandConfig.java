package io.medallion.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --command-config FILE}, as Kafka's own tools take it: the client properties
 * (security.protocol, sasl.*, ssl.*) of the commands that talk to a Kafka cluster of the user's.
 * Mixed into those commands ({@code @Mixin}), so the option and how its file is read are one thing.
 */
final class KafkaCommandConfig {
  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.*) for every Kafka client of the command")
  Path file;

  /** Read from a file rather than taken as arguments, so that no secret shows in the process list; never printed. */
  Properties clientProperties() throws IOException {
    Properties props = new Properties();
    if (file != null) {
      try (Reader reader = Files.newBufferedReader(file)) {
        props.load(reader);
      }
    }
    return props;
  }
}
