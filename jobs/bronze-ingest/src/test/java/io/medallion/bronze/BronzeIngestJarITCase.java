package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobJar;
import io.medallion.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as {@code flink run} starts it: its own JVM, Flink's libraries only beside it. */
class BronzeIngestJarITCase {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void theShadedJarRunsTheJobFromAConfigFile() throws Exception {
    KAFKA.broker().createTopics(2, "raw.jar-events");
    KAFKA.broker().createTopics(1, "dlq.jar-bronze");
    EventFactory events = new EventFactory(3, Instant.parse("2026-11-22T00:00:00Z"), Duration.ofHours(1));
    List<String> ids = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ObjectNode event = events.next();
      ids.add(event.get("event_id").asText());
      records.add(new ProducerRecord<>("raw.jar-events", i % 2, null, EventFactory.bytes(event)));
    }
    records.add(new ProducerRecord<>("raw.jar-events", 0, null, "not json".getBytes(StandardCharsets.UTF_8)));
    KAFKA.broker().produce(records);
    Path warehouse = dir.resolve("warehouse");
    Path config = dir.resolve("medallion.yaml");
    Files.writeString(
        config,
        """
        kafka:
          bootstrap-servers: %s
          topics: [raw.jar-events]
          starting-offsets: earliest
        dlq.topic: dlq.jar-bronze
        iceberg.catalog: {type: hadoop, warehouse: %s}
        checkpoint: {interval: 1s, dir: %s}
        parallelism: 2
        """
            .formatted(KAFKA.broker().bootstrapServers(), warehouse.toUri(), dir.resolve("checkpoints").toUri()));

    JobJar jar = JobJar.ofModuleUnderTest();
    assertThat(jar.mainClass()).isEqualTo(BronzeIngestJob.class.getName());
    JobJar.Run run = jar.run(List.of("--config", config.toString(), "--set", "bounded=true"), Map.of(), Duration.ofMinutes(3), dir);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(IcebergTables.readAll(IcebergCatalogs.hadoop(warehouse.toUri().toString()).loadCatalog(), BronzeEventsTable.IDENTIFIER))
        .extracting(row -> (String) row.getField("event_id"))
        .containsExactlyInAnyOrderElementsOf(ids);
    List<ConsumerRecord<byte[], byte[]>> letters = KAFKA.broker().readCommitted("dlq.jar-bronze");
    assertThat(letters).hasSize(1);
    assertThat(new String(letters.get(0).headers().lastHeader(DeadLetterHeaders.ERROR_CODE).value(), StandardCharsets.UTF_8))
        .isEqualTo("MALFORMED_JSON");
  }

  @Test
  void aBadConfigurationStopsTheJarAtStartNamingEveryBadKeyAndNoSecret() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        """
        kafka:
          bootstrap-servers: 127.0.0.1:1
          topcs: [raw.events]
          properties: {sasl.jaas.config: "${ENV:JAAS_SECRET}"}
        checkpoint.interval: often
        """);

    JobJar.Run run =
        JobJar.ofModuleUnderTest()
            .run(List.of("--config", config.toString()), Map.of("JAAS_SECRET", "s3cr3t-password"), Duration.ofMinutes(1), dir);

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr())
        .contains("Invalid configuration (4 problems)")
        .contains("kafka.topcs: unknown key (did you mean kafka.topics?)")
        .contains("checkpoint.interval: 'often' is not a duration")
        .contains("kafka.topics / kafka.topic-pattern: one of them is required by bronze-ingest")
        .contains("iceberg.catalog.warehouse: required by bronze-ingest")
        .doesNotContain("s3cr3t-password");
    assertThat(run.stdout()).doesNotContain("s3cr3t-password");
  }
}
