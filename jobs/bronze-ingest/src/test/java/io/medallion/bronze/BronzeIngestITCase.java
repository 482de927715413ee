package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.FailOnce;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.OperatorMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BronzeIngestITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RECORD_BYTES = 4096;

  @TempDir Path dir;

  /** A bronze.events row as plain values, for exact comparison. */
  record BronzeRow(
      String eventId,
      String eventType,
      int schemaVersion,
      String sourceSystem,
      Instant eventTime,
      String payload,
      Map<String, String> metadata,
      String topic,
      int partition,
      long offset,
      Instant kafkaTimestamp,
      String key) {}

  /** A dead letter as read from Kafka, without the wall-clock dlq.failed.at header. */
  record Letter(String key, List<Byte> value, Map<String, String> headers) {}

  private JobConfig config(String topicPattern, String dlqTopic, boolean bounded) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topic-pattern", topicPattern);
    settings.put("dlq.topic", dlqTopic);
    settings.put("max-record-bytes", Integer.toString(MAX_RECORD_BYTES));
    settings.put("bounded", Boolean.toString(bounded));
    return JobConfig.of(BronzeIngestJob.SPEC, settings);
  }

  static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, byte[] value) {
    return new ProducerRecord<>(topic, partition, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }

  static BronzeRow expectedRow(ObjectNode event, String payload, ProducerRecord<byte[], byte[]> sent, RecordMetadata landed) {
    Map<String, String> metadata = new HashMap<>();
    event.get("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    return new BronzeRow(
        event.get("event_id").asText(),
        event.get("event_type").asText(),
        1,
        event.get("source_system").asText(),
        Instant.parse(event.get("event_timestamp").asText()),
        payload,
        metadata,
        landed.topic(),
        landed.partition(),
        landed.offset(),
        Instant.ofEpochMilli(landed.timestamp()),
        new String(sent.key(), StandardCharsets.UTF_8));
  }

  static BronzeRow actualRow(Record r) {
    @SuppressWarnings("unchecked")
    Map<String, String> metadata = (Map<String, String>) r.getField("metadata");
    return new BronzeRow(
        (String) r.getField("event_id"),
        (String) r.getField("event_type"),
        (Integer) r.getField("schema_version"),
        (String) r.getField("source_system"),
        ((OffsetDateTime) r.getField("event_time")).toInstant(),
        (String) r.getField("payload"),
        metadata == null ? Map.of() : new HashMap<>(metadata),
        (String) r.getField("kafka_topic"),
        (Integer) r.getField("kafka_partition"),
        (Long) r.getField("kafka_offset"),
        ((OffsetDateTime) r.getField("kafka_timestamp")).toInstant(),
        (String) r.getField("record_key"));
  }

  static Letter expectedLetter(
      ProducerRecord<byte[], byte[]> sent, RecordMetadata landed, BadRecords.Bad bad, String message, String errorClass) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(DeadLetterHeaders.ERROR_CODE, bad.code().name());
    if (bad.field() != null) {
      headers.put(DeadLetterHeaders.ERROR_FIELD, bad.field());
    }
    if (message != null) {
      headers.put(DeadLetterHeaders.ERROR_MESSAGE, message);
    }
    if (errorClass != null) {
      headers.put(DeadLetterHeaders.ERROR_CLASS, errorClass);
    }
    headers.put(DeadLetterHeaders.STAGE, "bronze");
    headers.put(DeadLetterHeaders.JOB, "bronze-ingest");
    headers.put(DeadLetterHeaders.SOURCE_TOPIC, landed.topic());
    headers.put(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(landed.partition()));
    headers.put(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(landed.offset()));
    headers.put(DeadLetterHeaders.SOURCE_TIMESTAMP, Instant.ofEpochMilli(landed.timestamp()).toString());
    return new Letter(new String(sent.key(), StandardCharsets.UTF_8), bytes(sent.value()), headers);
  }

  /** The letters read back; messages and exception classes are compared separately where they are free text. */
  private static List<Letter> readLetters(String topic, Instant notBefore, Instant notAfter, boolean keepMessage) {
    List<Letter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : KAFKA.broker().readCommitted(topic)) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (Header h : r.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      Instant failedAt = Instant.parse(headers.remove(DeadLetterHeaders.FAILED_AT));
      assertThat(failedAt).isBetween(notBefore, notAfter);
      if (!keepMessage) {
        assertThat(headers.remove(DeadLetterHeaders.ERROR_MESSAGE)).isNotBlank();
        headers.remove(DeadLetterHeaders.ERROR_CLASS);
      }
      letters.add(new Letter(new String(r.key(), StandardCharsets.UTF_8), bytes(r.value()), headers));
    }
    return letters;
  }

  static List<Byte> bytes(byte[] value) {
    List<Byte> list = new ArrayList<>(value.length);
    for (byte b : value) {
      list.add(b);
    }
    return list;
  }

  /** The sum over all subtasks of a counter of the job's decode operator. */
  private static long sum(JobID job, String metricSuffix) {
    return OperatorMetrics.sum(METRICS, job, "decode envelope", metricSuffix);
  }

  @Test
  void archivesEveryValidRecordAndDeadLettersEveryBadOneExactly() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(3, "raw.it-orders");
    kafka.createTopics(2, "raw.it-clicks", "other.it-ignored");
    kafka.createTopics(1, "dlq.it-bronze");

    EventFactory events = new EventFactory(7, Instant.parse("2026-11-20T00:00:00Z"), Duration.ofDays(2));
    List<ObjectNode> valid = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      ObjectNode event = events.next();
      valid.add(event);
      String topic = i % 2 == 0 ? "raw.it-orders" : "raw.it-clicks";
      sent.add(record(topic, i % (topic.equals("raw.it-orders") ? 3 : 2), event.get("event_id").asText(), EventFactory.bytes(event)));
    }
    // Duplicates: the same bytes again, elsewhere. Bronze is the raw archive and keeps them.
    valid.add(valid.get(0));
    sent.add(record("raw.it-clicks", 1, valid.get(0).get("event_id").asText(), sent.get(0).value()));
    valid.add(valid.get(5));
    sent.add(record("raw.it-orders", 2, valid.get(5).get("event_id").asText(), sent.get(5).value()));
    int validCount = sent.size();

    String avroId = "6f1c1a2e-8f0b-4d1e-9b7a-3c2d1e0f9a8b";
    sent.add(record("raw.it-orders", 1, avroId, BadRecords.avro(avroId, Instant.parse("2026-11-21T08:30:00.000123Z"))));

    List<BadRecords.Bad> bad = BadRecords.bronze(events, MAX_RECORD_BYTES + 100);
    for (int i = 0; i < bad.size(); i++) {
      sent.add(record(i % 2 == 0 ? "raw.it-orders" : "raw.it-clicks", i % 2, "bad-" + i, bad.get(i).value()));
    }
    sent.add(record("other.it-ignored", 0, "ignored", EventFactory.bytes(events.next())));
    List<RecordMetadata> landed = kafka.produce(sent);

    Instant start = Instant.now();
    JobConfig config = config("raw\\.it-.*", "dlq.it-bronze", true);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    BronzeIngestJob.define(env, config);
    JobExecutionResult result = env.execute("bronze-ingest-it");
    Instant end = Instant.now();

    List<BronzeRow> expectedRows = new ArrayList<>();
    for (int i = 0; i < validCount; i++) {
      ObjectNode event = valid.get(i);
      expectedRows.add(expectedRow(event, JSON.writeValueAsString(event.get("payload")), sent.get(i), landed.get(i)));
    }
    RecordMetadata avroLanded = landed.get(validCount);
    expectedRows.add(
        new BronzeRow(
            avroId, "metric", 1, "metrics-agent", Instant.parse("2026-11-21T08:30:00.000123Z"),
            "{\"name\":\"cpu.load\",\"value\":0.75,\"unit\":\"ratio\",\"tags\":{\"host\":\"n1\"}}",
            Map.of("region", "eu-west-1"), avroLanded.topic(), avroLanded.partition(), avroLanded.offset(),
            Instant.ofEpochMilli(avroLanded.timestamp()), avroId));

    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    List<Record> table = IcebergTables.readAll(catalog, BronzeEventsTable.IDENTIFIER);
    assertThat(table.stream().map(BronzeIngestITCase::actualRow).toList())
        .containsExactlyInAnyOrderElementsOf(expectedRows);
    for (Record row : table) {
      assertThat(((OffsetDateTime) row.getField("ingest_time")).toInstant()).isBetween(start, end);
    }
    assertThat(catalog.loadTable(BronzeEventsTable.IDENTIFIER).spec()).isEqualTo(BronzeEventsTable.PARTITION_SPEC);

    List<Letter> expectedLetters = new ArrayList<>();
    for (int i = 0; i < bad.size(); i++) {
      int at = validCount + 1 + i;
      expectedLetters.add(expectedLetter(sent.get(at), landed.get(at), bad.get(i), null, null));
    }
    assertThat(readLetters("dlq.it-bronze", start, end, false)).containsExactlyInAnyOrderElementsOf(expectedLetters);

    JobID job = result.getJobID();
    assertThat(sum(job, "medallion." + StageMetrics.RECORDS_IN)).isEqualTo(sent.size() - 1);
    assertThat(sum(job, "medallion." + StageMetrics.ROWS_OUT)).isEqualTo(expectedRows.size());
    Map<ErrorCode, Long> byCode = new HashMap<>();
    bad.forEach(b -> byCode.merge(b.code(), 1L, Long::sum));
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(sum(job, "error_code." + code.name() + "." + StageMetrics.DEAD_LETTERS))
          .as("dead letters %s", code)
          .isEqualTo(byCode.getOrDefault(code, 0L));
    }
  }

  @Test
  void writesEveryRowAndDeadLetterExactlyOnceAcrossAFailureAfterACompletedCheckpoint() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw.eo-events";
    kafka.createTopics(2, topic);
    kafka.createTopics(1, "dlq.eo-bronze");
    EventFactory events = new EventFactory(11, Instant.parse("2026-11-21T00:00:00Z"), Duration.ofHours(6));
    List<BadRecords.Bad> bad = BadRecords.bronze(events, MAX_RECORD_BYTES + 100);

    List<ProducerRecord<byte[], byte[]>> firstBatch = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> secondBatch = new ArrayList<>();
    List<ObjectNode> valid = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ObjectNode event = events.next();
      valid.add(event);
      (i < 100 ? firstBatch : secondBatch).add(record(topic, i % 2, event.get("event_id").asText(), EventFactory.bytes(event)));
    }
    for (int i = 0; i < bad.size(); i++) {
      (i % 2 == 0 ? firstBatch : secondBatch).add(record(topic, i % 2, "bad-" + i, bad.get(i).value()));
    }
    JobConfig config = config("raw\\.eo-.*", "dlq.eo-bronze", false);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3));
    List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(firstBatch);
    all.addAll(secondBatch);
    KafkaSource<RawRecord> source = TestSources.rawUntil(kafka, topic, "bronze-eo-it", all);
    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    BronzeEventsTable.definition().ensure(catalog);
    String failOn = secondBatch.stream()
        .map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("bad-")).findFirst().orElseThrow();
    SharedReference<AtomicBoolean> failed = shared.add(new AtomicBoolean());
    BronzeIngestJob.build(
        env,
        source,
        MAX_RECORD_BYTES,
        null,
        rows ->
            LakeSinks.icebergAppend(
                    org.apache.iceberg.flink.TableLoader.fromCatalog(IcebergCatalogs.loader(config), BronzeEventsTable.IDENTIFIER),
                    BronzeIngestJob.BRONZE_SINK_UID,
                    true)
                .accept(
                    rows.map(new FailOnce(BronzeEventsTable.EVENT_ID, failOn, failed))
                        .returns(InternalTypeInfo.of(BronzeEventsTable.ROW_TYPE))
                        .uid("inject-failure")
                        .name("inject failure")),
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), BronzeIngestJob.DLQ_SINK_UID),
        LakeSinks.ledger(config, BronzeIngestJob.SPEC.name()));

    Instant start = Instant.now();
    List<RecordMetadata> landed = new ArrayList<>(kafka.produce(firstBatch));
    JobClient job = env.executeAsync("bronze-ingest-exactly-once-it");

    // The first batch is committed by a completed checkpoint before the second one exists.
    long firstValid = firstBatch.stream().filter(r -> !new String(r.key(), StandardCharsets.UTF_8).startsWith("bad-")).count();
    await().atMost(Duration.ofSeconds(90))
        .until(() -> IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER) == firstValid);
    assertThat(failed.get()).isFalse();
    landed.addAll(kafka.produce(secondBatch));
    job.getJobExecutionResult().get();
    Instant end = Instant.now();

    assertThat(failed.get()).as("the injected failure happened").isTrue();
    Map<String, ObjectNode> byId = new HashMap<>();
    valid.forEach(e -> byId.put(e.get("event_id").asText(), e));
    List<BronzeRow> expectedRows = new ArrayList<>();
    List<Letter> expectedLetters = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String key = new String(all.get(i).key(), StandardCharsets.UTF_8);
      if (key.startsWith("bad-")) {
        expectedLetters.add(expectedLetter(all.get(i), landed.get(i), bad.get(Integer.parseInt(key.substring(4))), null, null));
      } else {
        ObjectNode event = byId.get(key);
        expectedRows.add(expectedRow(event, JSON.writeValueAsString(event.get("payload")), all.get(i), landed.get(i)));
      }
    }
    assertThat(IcebergTables.readAll(catalog, BronzeEventsTable.IDENTIFIER).stream().map(BronzeIngestITCase::actualRow).toList())
        .containsExactlyInAnyOrderElementsOf(expectedRows);
    assertThat(readLetters("dlq.eo-bronze", start, end, false)).containsExactlyInAnyOrderElementsOf(expectedLetters);

    // The ledger was committed with the same checkpoints: what the failed attempt counted after the
    // last completed checkpoint is gone, and its recount is there once.
    LedgerAudit.Report audit = Ledgers.audit(config, kafka);
    assertThat(audit.lines()).allSatisfy(line -> assertThat(line.problems()).isEmpty());
    long badOnPartition0 = (bad.size() + 1) / 2;
    assertThat(Ledgers.lines(audit, BronzeIngestJob.SPEC.name()))
        .containsExactly(
            topic + "/0 read=" + (100 + badOnPartition0) + " written=100 dead=" + badOnPartition0 + " dropped=0 late=0",
            topic + "/1 read=" + (100 + bad.size() - badOnPartition0) + " written=100 dead=" + (bad.size() - badOnPartition0) + " dropped=0 late=0");
  }
}
