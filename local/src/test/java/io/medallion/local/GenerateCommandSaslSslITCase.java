package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code medallion generate} to a broker that only speaks SASL_SSL, its client settings from {@code --command-config}. */
class GenerateCommandSaslSslITCase {
  private static final String USER = "generator";
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.secured(Map.of(USER, SASL_PASSWORD));

  @TempDir Path dir;

  @Test
  void sendsEveryPlannedRecordThroughTheSecuredListener() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, "raw.gen-sasl");
    // A client properties file as for Kafka's own tools.
    Properties client = new Properties();
    client.putAll(kafka.clientProperties(USER, SASL_PASSWORD));
    Path commandConfig = dir.resolve("client.properties");
    try (Writer out = Files.newBufferedWriter(commandConfig, StandardCharsets.UTF_8)) {
      client.store(out, null);
    }

    int exit =
        Medallion.commandLine()
            .execute(
                "generate", "--bootstrap-servers", kafka.bootstrapServers(), "--command-config", commandConfig.toString(),
                "--topic", "raw.gen-sasl", "--events", "40", "--bad-ratio", "0.25", "--duplicate-ratio", "0.05", "--seed", "7");

    assertThat(exit).isZero();
    // 40 events, 10 bad records, 2 duplicates: DataGenerator's plan, all acknowledged.
    assertThat(kafka.readCommitted("raw.gen-sasl")).hasSize(40 + 10 + 2);
  }
}
