package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Silver rebuilt from bronze.events equals silver built from Kafka, rows and dead-letter reasons alike. */
class SilverRebuildITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");

  @TempDir Path dir;

  private Map<String, String> common(String dlqTopic) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", "raw.rb-events");
    settings.put("dlq.topic", dlqTopic);
    settings.put("pii.hmac-key", "rebuild-key");
    settings.put("bounded", "true");
    return settings;
  }

  private JobConfig silver(String paimonDir, String dlqTopic, String source) {
    Map<String, String> settings = common(dlqTopic);
    settings.put("paimon.catalog.warehouse", dir.resolve(paimonDir).toUri().toString());
    settings.put("checkpoint.dir", dir.resolve("checkpoints-" + paimonDir).toUri().toString());
    settings.put("source", source);
    return JobConfig.of(SilverTransformJob.SPEC, settings);
  }

  private static void run(JobConfig config, String name, Definer definer) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    definer.define(env, config);
    env.execute(name);
  }

  private interface Definer {
    void define(StreamExecutionEnvironment env, JobConfig config) throws Exception;
  }

  @Test
  void silverRebuiltFromBronzeEqualsSilverBuiltFromKafka() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, "raw.rb-events");
    kafka.createTopics(1, "dlq.rb-bronze", "dlq.rb-silver-kafka", "dlq.rb-silver-bronze");
    EventFactory events = new EventFactory(31, RECORDED.minus(Duration.ofHours(4)), Duration.ofHours(4));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Set<String> sentTwice = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      ObjectNode event = events.next();
      if (i % 10 == 3) {
        ((ObjectNode) event.get("payload")).put("status", "lost").put("action", "teleport").put("level", "LOUD").put("name", "Bad Name");
      }
      if (i % 10 == 7) {
        event.put("event_timestamp", RECORDED.minus(Duration.ofDays(9)).toString());
      }
      byte[] value = EventFactory.bytes(event);
      records.add(new ProducerRecord<>("raw.rb-events", i % 2, RECORDED.toEpochMilli(), event.get("event_id").asText().getBytes(StandardCharsets.UTF_8), value));
      if (i % 15 == 0) {
        sentTwice.add(event.get("event_id").asText());
        records.add(new ProducerRecord<>("raw.rb-events", i % 2, RECORDED.toEpochMilli(), null, value));
      }
    }
    records.add(new ProducerRecord<>("raw.rb-events", 0, RECORDED.toEpochMilli(), null, "{oops".getBytes(StandardCharsets.UTF_8)));
    kafka.produce(records);

    Map<String, String> bronze = common("dlq.rb-bronze");
    bronze.put("checkpoint.dir", dir.resolve("checkpoints-bronze").toUri().toString());
    run(JobConfig.of(BronzeIngestJob.SPEC, bronze), "bronze", BronzeIngestJob::define);
    run(silver("paimon-kafka", "dlq.rb-silver-kafka", "kafka"), "silver-from-kafka", SilverTransformJob::define);
    run(silver("paimon-bronze", "dlq.rb-silver-bronze", "bronze"), "silver-from-bronze", SilverTransformJob::define);

    Map<SilverTable, List<Map<String, Object>>> fromKafka = read("paimon-kafka");
    Map<SilverTable, List<Map<String, Object>>> fromBronze = read("paimon-bronze");
    int rows = 0;
    for (SilverTable table : SilverTable.values()) {
      assertThat(comparable(fromBronze.get(table), sentTwice))
          .as(table.qualifiedName())
          .containsExactlyInAnyOrderElementsOf(comparable(fromKafka.get(table), sentTwice));
      rows += fromKafka.get(table).size();
    }
    assertThat(rows).as("valid, distinct events").isEqualTo(60 - 6 - 6);
    // The malformed record never reached bronze; every other reason is the same from both sources.
    assertThat(reasons("dlq.rb-silver-bronze")).containsExactlyInAnyOrderElementsOf(reasons("dlq.rb-silver-kafka"));
    assertThat(reasons("dlq.rb-silver-kafka")).hasSize(12);
    assertThat(kafka.readCommitted("dlq.rb-bronze")).hasSize(1);
  }

  /**
   * Rows as compared: bronze does not keep Kafka's order across partitions of the table, so of an
   * event sent twice the rebuild may keep the other copy, identical but for its offset.
   */
  private static List<Map<String, Object>> comparable(List<Map<String, Object>> rows, Set<String> sentTwice) {
    List<Map<String, Object>> result = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> copy = new LinkedHashMap<>(row);
      if (sentTwice.contains((String) row.get("event_id"))) {
        copy.remove("source_offset");
      }
      result.add(copy);
    }
    return result;
  }

  private Map<SilverTable, List<Map<String, Object>>> read(String paimonDir) throws Exception {
    Map<SilverTable, List<Map<String, Object>>> tables = new EnumMap<>(SilverTable.class);
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.resolve(paimonDir).toUri().toString())) {
      for (SilverTable table : SilverTable.values()) {
        tables.put(table, PaimonReads.readAll(catalog.getTable(table.identifier())));
      }
    }
    return tables;
  }

  /** Code, field and Kafka coordinates of each dead letter, excluding bronze-level (MALFORMED_JSON) ones. */
  private static List<String> reasons(String topic) {
    List<String> reasons = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> letter : KAFKA.broker().readCommitted(topic)) {
      String code = header(letter, DeadLetterHeaders.ERROR_CODE);
      if (!code.equals("MALFORMED_JSON")) {
        reasons.add(code + " " + header(letter, DeadLetterHeaders.ERROR_FIELD) + " " + header(letter, DeadLetterHeaders.SOURCE_TOPIC)
            + "-" + header(letter, DeadLetterHeaders.SOURCE_PARTITION) + "@" + header(letter, DeadLetterHeaders.SOURCE_OFFSET)
            + " " + header(letter, DeadLetterHeaders.SOURCE_TIMESTAMP));
      }
    }
    return reasons;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
