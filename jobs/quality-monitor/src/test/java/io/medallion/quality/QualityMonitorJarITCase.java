package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobJar;
import io.medallion.testkit.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as {@code flink run} starts it, with a check file: a bounded run over two windows. */
class QualityMonitorJarITCase {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  @Test
  void theShadedJarJudgesTheChecksOfItsCheckFile() throws Exception {
    KAFKA.broker().createTopics(1, "raw.jar-quality", "dlq.jar-quality", "jar-alerts");
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    EventFactory events = new EventFactory(3, t0, Duration.ZERO);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      // Minute 0 valid; half of minute 1 breaks the amount rule.
      Instant recorded = t0.plusSeconds(6L * i + 1);
      ObjectNode event = events.next("transaction", recorded.minusSeconds(1));
      if (i >= 10 && i % 2 == 0) {
        ((ObjectNode) event.get("payload")).put("amount", -1);
      }
      records.add(new ProducerRecord<>("raw.jar-quality", 0, recorded.toEpochMilli(), null, EventFactory.bytes(event)));
    }
    KAFKA.broker().produce(records);
    Path checks = dir.resolve("checks.yaml");
    Files.writeString(
        checks,
        """
        checks:
          - name: amount-rule
            metric: rule_violation_rate
            rule: transaction.amount.non_negative
            threshold: {max: 0.1}
        """);
    Path warehouse = dir.resolve("iceberg");
    Path config = dir.resolve("medallion.yaml");
    Files.writeString(
        config,
        """
        kafka: {bootstrap-servers: "%s", topics: [raw.jar-quality], starting-offsets: earliest}
        iceberg.catalog: {warehouse: "%s"}
        checkpoint: {interval: 1s}
        parallelism: 2
        quality: {checks: "%s", dead-letter-topics: [dlq.jar-quality], alerts-topic: jar-alerts}
        """
            .formatted(KAFKA.broker().bootstrapServers(), warehouse.toUri(), checks));

    JobJar jar = JobJar.ofModuleUnderTest();
    assertThat(jar.mainClass()).isEqualTo(QualityMonitorJob.class.getName());
    JobJar.Run run = jar.run(List.of("--config", config.toString(), "--set", "bounded=true"), Map.of(), Duration.ofMinutes(3), dir);

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    List<String> rows = new ArrayList<>();
    for (Record row : IcebergTables.readAll(IcebergCatalogs.hadoop(warehouse.toUri().toString()).loadCatalog(), QualityMetricsTable.IDENTIFIER)) {
      rows.add(row.getField("check_name") + " " + row.getField("window_start") + " " + row.getField("observed") + " " + row.getField("status"));
    }
    assertThat(rows).containsExactlyInAnyOrder("amount-rule 2026-11-22T10:00Z 0.0 ok", "amount-rule 2026-11-22T10:01Z 0.5 fail");
    List<ConsumerRecord<byte[], byte[]>> alerts = KAFKA.broker().readCommitted("jar-alerts");
    assertThat(alerts).hasSize(1);
    JsonNode alert = new ObjectMapper().readTree(alerts.get(0).value());
    assertThat(alert.get("check").asText()).isEqualTo("amount-rule");
    assertThat(alert.get("status").asText()).isEqualTo("firing");
    assertThat(alert.get("observed").asDouble()).isEqualTo(0.5);
  }
}
