package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.TestSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each hostile record of issue #9, one of each, through the real bronze and silver jobs: each is
 * dead-lettered with its exact code by both, the valid events around them (one behind a byte order
 * mark) reach both tables, and neither job restarts although restarts are allowed.
 */
class HostileInputITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String TOPIC = "raw.hostile-events";
  private static final int MAX_RECORD_BYTES = 100_000;

  @TempDir Path dir;

  private JobConfig config(JobSpec spec, String dlqTopic) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", TOPIC);
    settings.put("dlq.topic", dlqTopic);
    settings.put("pii.hmac-key", "hostile-key");
    settings.put("bounded", "true");
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("checkpoint.dir", dir.resolve("checkpoints-" + spec.name()).toUri().toString());
    return JobConfig.of(spec, settings);
  }

  private interface Definer {
    void define(StreamExecutionEnvironment env, JobConfig config) throws Exception;
  }

  /** Runs the job to its end with three restarts allowed, and returns how many it took. */
  private static long restartsOf(JobConfig config, String name, Definer definer) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3));
    definer.define(env, config);
    JobID job = env.execute(name).getJobID();
    Map<String, Metric> restarts = METRICS.findMetrics(job, ".*\\.numRestarts");
    assertThat(restarts).as("numRestarts of %s", name).isNotEmpty();
    return restarts.values().stream().mapToLong(m -> ((Number) ((Gauge<?>) m).getValue()).longValue()).max().orElseThrow();
  }

  @Test
  void deadLettersEachHostileRecordWithItsCodeInBronzeAndSilverWithoutARestart() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, TOPIC);
    kafka.createTopics(1, "dlq.hostile-bronze", "dlq.hostile-silver");
    EventFactory events = new EventFactory(97, Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
    List<BadRecords.Bad> hostile = BadRecords.hostile(events, MAX_RECORD_BYTES);

    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<String> validIds = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ObjectNode event = events.next();
      validIds.add(event.get("event_id").asText());
      byte[] value = i == 0 ? BadRecords.withByteOrderMark(EventFactory.bytes(event)) : EventFactory.bytes(event);
      records.add(new ProducerRecord<>(TOPIC, i % 2, key(event.get("event_id").asText()), value));
    }
    Map<String, BadRecords.Bad> expected = new HashMap<>();
    for (int i = 0; i < hostile.size(); i++) {
      expected.put("hostile-" + i, hostile.get(i));
      records.add(new ProducerRecord<>(TOPIC, i % 2, key("hostile-" + i), hostile.get(i).value()));
    }
    kafka.produce(records);

    assertThat(restartsOf(config(BronzeIngestJob.SPEC, "dlq.hostile-bronze"), "bronze-hostile", BronzeIngestJob::define)).isZero();
    assertThat(restartsOf(config(SilverTransformJob.SPEC, "dlq.hostile-silver"), "silver-hostile", SilverTransformJob::define)).isZero();

    assertThat(letters("dlq.hostile-bronze", "bronze", expected)).containsExactlyInAnyOrderElementsOf(expected.keySet());
    assertThat(letters("dlq.hostile-silver", "silver", expected)).containsExactlyInAnyOrderElementsOf(expected.keySet());

    JobConfig bronze = config(BronzeIngestJob.SPEC, "dlq.hostile-bronze");
    assertThat(IcebergTables.readAll(IcebergCatalogs.loader(bronze).loadCatalog(), BronzeEventsTable.IDENTIFIER).stream()
            .map(r -> (String) r.getField("event_id")).toList())
        .containsExactlyInAnyOrderElementsOf(validIds);
    List<String> silverIds = new ArrayList<>();
    try (Catalog catalog = PaimonCatalogs.create(config(SilverTransformJob.SPEC, "dlq.hostile-silver"))) {
      for (SilverTable table : SilverTable.values()) {
        PaimonReads.readAll(catalog.getTable(table.identifier())).forEach(row -> silverIds.add((String) row.get("event_id")));
      }
    }
    assertThat(silverIds).containsExactlyInAnyOrderElementsOf(validIds);
  }

  /** The keys of the dead letters on {@code topic}, each checked against the record it stands for. */
  private static List<String> letters(String topic, String stage, Map<String, BadRecords.Bad> expected) {
    List<String> keys = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> letter : KAFKA.broker().readCommitted(topic)) {
      String key = new String(letter.key(), StandardCharsets.UTF_8);
      BadRecords.Bad bad = expected.get(key);
      assertThat(bad).as("dead letter %s on %s", key, topic).isNotNull();
      assertThat(header(letter, DeadLetterHeaders.ERROR_CODE)).as("%s: %s", stage, bad.name()).isEqualTo(bad.code().name());
      assertThat(header(letter, DeadLetterHeaders.ERROR_FIELD)).as("%s: %s", stage, bad.name()).isEqualTo(bad.field());
      assertThat(header(letter, DeadLetterHeaders.ERROR_MESSAGE)).as("%s: %s", stage, bad.name()).isNotBlank();
      assertThat(header(letter, DeadLetterHeaders.STAGE)).isEqualTo(stage);
      assertThat(letter.value()).as("%s: %s keeps its original value", stage, bad.name()).isEqualTo(bad.value());
      keys.add(key);
    }
    return keys;
  }

  private static byte[] key(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
