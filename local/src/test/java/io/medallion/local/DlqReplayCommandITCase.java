package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.silver.SilverTransformJob;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Fix a rule, replay its dead letters, and silver gains exactly the recovered rows; a second
 * replay adds none. The "fix" is relaxing {@code validation.max-age}. Each silver run resumes
 * where the previous one stopped, as a restarted job does from its savepoint, so it sees only
 * what the replay published: the test sets the group's offsets, because a bounded job commits its
 * last offsets to Kafka asynchronously after its final checkpoint (seen not to arrive in time).
 */
class DlqReplayCommandITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String RAW = "raw.rp-events";
  private static final String DLQ = "dlq.rp-silver";
  private static final String GROUP = "rp-silver";
  /** Every record's Kafka timestamp, the reference of silver's timestamp range. */
  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");

  @TempDir Path dir;

  @Test
  void replayAfterFixingARuleAddsExactlyTheRecoveredRowsOnce() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, RAW);
    kafka.createTopics(1, DLQ);
    EventFactory events = new EventFactory(9, RECORDED.minus(Duration.ofHours(3)), Duration.ofHours(3));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    List<String> valid = new ArrayList<>();
    Map<String, ProducerRecord<byte[], byte[]>> tooOld = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      ObjectNode event = events.next();
      String id = event.get("event_id").asText();
      if (i == 1 || i == 4 || i == 6) {
        event.put("event_timestamp", RECORDED.minus(Duration.ofDays(9)).toString());
      } else if (i == 3 || i == 7) {
        ((ObjectNode) event.get("payload")).put("status", "lost").put("action", "teleport").put("level", "LOUD").put("name", "Bad Name");
      } else {
        valid.add(id);
      }
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(RAW, i % 2, RECORDED.toEpochMilli(), id.getBytes(StandardCharsets.UTF_8), EventFactory.bytes(event));
      records.add(record);
      if (i == 1 || i == 4 || i == 6) {
        tooOld.put(id, record);
      }
    }
    kafka.produce(records);
    Map<TopicPartition, OffsetAndMetadata> afterOriginals = endOffsets(RAW);

    runSilver("7d", Map.of(new TopicPartition(RAW, 0), new OffsetAndMetadata(0), new TopicPartition(RAW, 1), new OffsetAndMetadata(0)));
    Map<String, Map<String, Object>> before = silverRows();
    assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(valid);
    assertThat(codes(kafka.readCommitted(DLQ))).containsExactlyInAnyOrder(
        "TIMESTAMP_OUT_OF_RANGE", "TIMESTAMP_OUT_OF_RANGE", "TIMESTAMP_OUT_OF_RANGE", "INVALID_FIELD", "INVALID_FIELD");

    String[] replay = {"dlq", "replay", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", DLQ, "--code", "TIMESTAMP_OUT_OF_RANGE", "--to", RAW};
    String summary = "replayed 3 records from dlq.rp-silver to raw.rp-events: TIMESTAMP_OUT_OF_RANGE 3; skipped 2 (filters)\n";
    assertThat(medallion(replay)).isEqualTo(summary);

    List<ConsumerRecord<byte[], byte[]>> replayed = replayedRecords(kafka.readCommitted(RAW));
    Map<String, Long> letterOffsetById = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> letter : kafka.readCommitted(DLQ)) {
      letterOffsetById.put(new String(letter.key(), StandardCharsets.UTF_8), letter.offset());
    }
    assertThat(replayed).hasSize(3);
    Map<String, Long> replayedOffsetById = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : replayed) {
      String id = new String(record.key(), StandardCharsets.UTF_8);
      replayedOffsetById.put(id, record.offset());
      assertThat(tooOld).containsKey(id);
      assertThat(record.value()).isEqualTo(tooOld.get(id).value());
      assertThat(record.timestamp()).isEqualTo(RECORDED.toEpochMilli());
      assertThat(Arrays.stream(record.headers().toArray()).map(Header::key)).containsExactly(DeadLetterHeaders.REPLAYED_FROM);
      assertThat(header(record, DeadLetterHeaders.REPLAYED_FROM)).isEqualTo(DLQ + "/0/" + letterOffsetById.get(id));
    }

    runSilver("30d", afterOriginals);
    Map<String, Map<String, Object>> after = silverRows();
    assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(union(valid, tooOld.keySet()));
    for (String id : valid) {
      assertThat(after.get(id)).isEqualTo(before.get(id));
    }
    for (String id : tooOld.keySet()) {
      assertThat(after.get(id).get("source_offset")).as("row of %s comes from its replayed record", id).isEqualTo(replayedOffsetById.get(id));
    }
    assertThat(kafka.readCommitted(DLQ)).as("nothing dead-lettered again").hasSize(5);

    Map<TopicPartition, OffsetAndMetadata> afterFirstReplay = endOffsets(RAW);
    assertThat(medallion(replay)).isEqualTo(summary);
    runSilver("30d", afterFirstReplay);
    assertThat(replayedRecords(kafka.readCommitted(RAW))).hasSize(6);
    assertThat(silverRows()).isEqualTo(after);
    assertThat(kafka.readCommitted(DLQ)).hasSize(5);
  }

  /** One bounded silver run from {@code resumeAt}, with the given maximum event age. */
  private void runSilver(String maxAge, Map<TopicPartition, OffsetAndMetadata> resumeAt) throws Exception {
    try (Admin admin = KAFKA.broker().admin()) {
      admin.alterConsumerGroupOffsets(GROUP, resumeAt).all().get();
    }
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", RAW);
    settings.put("kafka.group-id", GROUP);
    settings.put("kafka.starting-offsets", "committed-or-earliest");
    settings.put("dlq.topic", DLQ);
    settings.put("pii.hmac-key", "replay-key");
    settings.put("bounded", "true");
    settings.put("validation.max-age", maxAge);
    JobConfig config = JobConfig.of(SilverTransformJob.SPEC, settings);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    SilverTransformJob.define(env, config);
    env.execute("silver max-age " + maxAge);
  }

  /** Every silver row, of all four tables, by event id. */
  private Map<String, Map<String, Object>> silverRows() throws Exception {
    Map<String, Map<String, Object>> rows = new TreeMap<>();
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.resolve("paimon").toUri().toString())) {
      for (SilverTable table : SilverTable.values()) {
        for (Map<String, Object> row : PaimonReads.readAll(catalog.getTable(table.identifier()))) {
          assertThat(rows.put((String) row.get("event_id"), row)).as("one row per event id").isNull();
        }
      }
    }
    return rows;
  }

  private static Map<TopicPartition, OffsetAndMetadata> endOffsets(String topic) throws Exception {
    try (Admin admin = KAFKA.broker().admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int partition = 0; partition < 2; partition++) {
        latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((partition, info) -> offsets.put(partition, new OffsetAndMetadata(info.offset())));
      return offsets;
    }
  }

  private static String medallion(String... args) {
    StringWriter out = new StringWriter();
    CommandLine command = Medallion.commandLine();
    command.setOut(new PrintWriter(out, true));
    assertThat(command.execute(args)).isZero();
    return out.toString().replace(System.lineSeparator(), "\n");
  }

  private static List<ConsumerRecord<byte[], byte[]>> replayedRecords(List<ConsumerRecord<byte[], byte[]>> raw) {
    return raw.stream().filter(r -> r.headers().lastHeader(DeadLetterHeaders.REPLAYED_FROM) != null).toList();
  }

  private static List<String> codes(List<ConsumerRecord<byte[], byte[]>> letters) {
    return letters.stream().map(l -> header(l, DeadLetterHeaders.ERROR_CODE)).toList();
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static List<String> union(List<String> a, Set<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
