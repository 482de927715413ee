package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobJar;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.PaimonReads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as {@code flink run} starts it, with the HMAC key from an environment secret. */
class SilverTransformJarITCase {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  private static final String SECRET = "jar-test-hmac-secret-value";

  @TempDir Path dir;

  @Test
  void theShadedJarWritesSilverTablesAndNeverPrintsTheKey() throws Exception {
    KAFKA.broker().createTopics(2, "raw.jar-silver");
    KAFKA.broker().createTopics(1, "dlq.jar-silver");
    Instant now = Instant.now();
    EventFactory events = new EventFactory(9, now.minus(Duration.ofHours(1)), Duration.ofMinutes(50));
    List<String> metricIds = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ObjectNode event = events.next("metric");
      metricIds.add(event.get("event_id").asText());
      records.add(new ProducerRecord<>("raw.jar-silver", i % 2, null, EventFactory.bytes(event)));
    }
    records.add(new ProducerRecord<>("raw.jar-silver", 0, null, "[]".getBytes(StandardCharsets.UTF_8)));
    KAFKA.broker().produce(records);
    Path warehouse = dir.resolve("paimon");
    Path config = dir.resolve("medallion.yaml");
    Files.writeString(
        config,
        """
        kafka: {bootstrap-servers: "%s", topics: [raw.jar-silver], starting-offsets: earliest}
        dlq.topic: dlq.jar-silver
        paimon.catalog: {warehouse: "%s"}
        iceberg.catalog: {warehouse: "%s"}
        checkpoint: {interval: 1s}
        parallelism: 2
        pii.hmac-key: ${ENV:MEDALLION_PII_KEY}
        """
            .formatted(KAFKA.broker().bootstrapServers(), warehouse.toUri(), dir.resolve("iceberg").toUri()));

    JobJar jar = JobJar.ofModuleUnderTest();
    assertThat(jar.mainClass()).isEqualTo(SilverTransformJob.class.getName());
    JobJar.Run run =
        jar.run(List.of("--config", config.toString(), "--set", "bounded=true"), Map.of("MEDALLION_PII_KEY", SECRET), Duration.ofMinutes(3), dir);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout() + run.stderr()).contains("pii.hmac-key=******").doesNotContain(SECRET);
    try (Catalog catalog = PaimonCatalogs.filesystem(warehouse.toUri().toString())) {
      assertThat(PaimonReads.readAll(catalog.getTable(SilverTable.METRICS.identifier())))
          .extracting(row -> (String) row.get("event_id"))
          .containsExactlyInAnyOrderElementsOf(metricIds);
    }
    assertThat(KAFKA.broker().readCommitted("dlq.jar-silver")).hasSize(1);
  }
}
