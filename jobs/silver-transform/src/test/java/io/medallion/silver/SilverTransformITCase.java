package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.audit.LedgerAudit;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.flink.StageMetrics;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.Pseudonymizer;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.FailOnce;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.TestSources;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class SilverTransformITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String HMAC_KEY = "it-secret-key";
  /** Every record's Kafka timestamp: the reference of the timestamp-range rule. */
  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");
  private static final Instant EVENT_TIME = Instant.parse("2026-11-22T11:30:00.250Z");

  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  @TempDir Path dir;

  private JobConfig config(String topicPattern, String dlqTopic) {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topic-pattern", topicPattern);
    settings.put("dlq.topic", dlqTopic);
    settings.put("pii.hmac-key", HMAC_KEY);
    settings.put("bounded", "true");
    return JobConfig.of(SilverTransformJob.SPEC, settings);
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String json) {
    return new ProducerRecord<>(
        topic, partition, RECORDED.toEpochMilli(), key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  private static String event(String id, String type, Instant time, String payload) {
    return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"event_timestamp\":\"" + time
        + "\",\"source_system\":\" src \",\"schema_version\":1,\"payload\":" + payload + ",\"metadata\":{\"region\":\"eu\"}}";
  }

  /** A bad record and the code and field its dead letter must carry. */
  private record Bad(String json, String code, String field) {}

  @Test
  void writesOneCleansedRowPerValidEventAndDeadLettersEveryViolation() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(2, "raw.s-orders");
    kafka.createTopics(1, "raw.s-clicks", "dlq.s-silver");

    String userAction = "0c8f8a3e-1111-4d1e-9b7a-000000000001";
    String transaction = "0c8f8a3e-2222-4d1e-9b7a-000000000002";
    String yen = "0c8f8a3e-3333-4d1e-9b7a-000000000003";
    String system = "0c8f8a3e-4444-4d1e-9b7a-000000000004";
    String metric = "0c8f8a3e-5555-4d1e-9b7a-000000000005";
    List<ProducerRecord<byte[], byte[]>> valid = new ArrayList<>();
    valid.add(record("raw.s-clicks", 0, userAction, event(userAction, "user_action", EVENT_TIME,
        "{\"user_id\":\" u-1 \",\"session_id\":\"  \",\"action\":\"PURCHASE\",\"resource\":\"/p/9\",\"email\":\"Ana@Example.com\","
            + "\"ip_address\":\"10.1.2.3\",\"properties\":{\"n\":2},\"extra\":true}")));
    valid.add(record("raw.s-orders", 0, transaction, event(transaction, "transaction", EVENT_TIME,
        "{\"transaction_id\":\"t-1\",\"account_id\":\"a-1\",\"amount\":\"12.5\",\"currency\":\"eur\",\"merchant_id\":\"m-7\","
            + "\"status\":\"Captured\",\"payment_method\":\"CARD\",\"card_number\":\"4111 1111 1111 1234\"}")));
    valid.add(record("raw.s-orders", 1, yen, event(yen, "transaction", EVENT_TIME,
        "{\"transaction_id\":\"t-2\",\"account_id\":\"a-2\",\"amount\":1200,\"currency\":\"JPY\",\"merchant_id\":\"m-7\",\"status\":\"declined\"}")));
    valid.add(record("raw.s-orders", 1, system, event(system, "system", EVENT_TIME,
        "{\"service\":\"checkout\",\"level\":\"warn\",\"message\":\"slow \uD83D\uDC22\",\"code\":\"E7\"}")));
    valid.add(record("raw.s-clicks", 0, metric, event(metric, "metric", EVENT_TIME,
        "{\"name\":\"cpu.load\",\"value\":\"0.75\",\"unit\":\"ratio\",\"tags\":{\"host\":\"n1\"}}")));
    EventFactory events = new EventFactory(5, EVENT_TIME.minus(Duration.ofHours(2)), Duration.ofHours(2));
    Map<String, List<String>> generatedIdsByType = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      ObjectNode e = events.next();
      generatedIdsByType.computeIfAbsent(e.get("event_type").asText(), t -> new ArrayList<>()).add(e.get("event_id").asText());
      valid.add(record(i % 2 == 0 ? "raw.s-orders" : "raw.s-clicks", i % 2 == 0 ? i % 4 / 2 : 0, e.get("event_id").asText(), EventFactory.text(e)));
    }
    // Duplicates come later in the same partition as their original, so which copy is first is defined.
    List<ProducerRecord<byte[], byte[]>> duplicates =
        List.of(
            record("raw.s-clicks", 0, userAction, new String(valid.get(0).value(), StandardCharsets.UTF_8)),
            record("raw.s-orders", 0, transaction, new String(valid.get(1).value(), StandardCharsets.UTF_8)));

    String id = "0c8f8a3e-9999-4d1e-9b7a-0000000000";
    List<Bad> bad =
        List.of(
            new Bad(event(id + "01", "refund", EVENT_TIME, "{}"), "UNKNOWN_EVENT_TYPE", "event_type"),
            new Bad(event(id + "02", "metric", EVENT_TIME, "{\"name\":\"a\",\"value\":1}").replace("\"schema_version\":1", "\"schema_version\":2"),
                "UNSUPPORTED_SCHEMA_VERSION", "schema_version"),
            new Bad(event(id + "03", "metric", RECORDED.minus(Duration.ofDays(8)), "{\"name\":\"a\",\"value\":1}"), "TIMESTAMP_OUT_OF_RANGE", "event_timestamp"),
            new Bad(event(id + "04", "transaction", EVENT_TIME,
                "{\"transaction_id\":\"t\",\"account_id\":\"a\",\"amount\":-1,\"currency\":\"EUR\",\"merchant_id\":\"m\",\"status\":\"captured\"}"),
                "INVALID_FIELD", "amount"),
            new Bad(event(id + "05", "metric", EVENT_TIME, "{\"name\":\"CPU\",\"value\":1}"), "INVALID_FIELD", "name"),
            new Bad(event(id + "06", "user_action", EVENT_TIME, "{\"action\":\"view\",\"resource\":\"/\"}"), "MISSING_FIELD", "user_id"),
            new Bad("{\"event_id\":", "MALFORMED_JSON", null));
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>(valid);
    sent.addAll(duplicates);
    for (int i = 0; i < bad.size(); i++) {
      sent.add(record(i % 2 == 0 ? "raw.s-orders" : "raw.s-clicks", 0, "bad-" + i, bad.get(i).json()));
    }
    List<RecordMetadata> landed = kafka.produce(sent);

    Instant start = Instant.now();
    JobConfig config = config("raw\\.s-.*", "dlq.s-silver");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    SilverTransformJob.define(env, config);
    JobID job = env.execute("silver-transform-it").getJobID();
    Instant end = Instant.now();

    Pseudonymizer pii = new Pseudonymizer(HMAC_KEY);
    Map<SilverTable, Map<String, Map<String, Object>>> tables = new HashMap<>();
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        tables.put(table, PaimonReads.readAll(catalog.getTable(table.identifier())).stream()
            .collect(Collectors.toMap(r -> (String) r.get("event_id"), r -> r)));
      }
    }
    for (SilverTable table : SilverTable.values()) {
      List<String> expectedIds = new ArrayList<>(generatedIdsByType.getOrDefault(table.eventType(), List.of()));
      expectedIds.addAll(switch (table) {
        case USER_ACTIONS -> List.of(userAction);
        case TRANSACTIONS -> List.of(transaction, yen);
        case SYSTEM_EVENTS -> List.of(system);
        case METRICS -> List.of(metric);
      });
      assertThat(tables.get(table).keySet()).as(table.qualifiedName()).containsExactlyInAnyOrderElementsOf(expectedIds);
    }

    Map<String, Object> ua = tables.get(SilverTable.USER_ACTIONS).get(userAction);
    RecordMetadata uaLanded = landed.get(0);
    assertThat(ua)
        .containsExactly(
            entry("event_date", LocalDate.parse("2026-11-22")),
            entry("event_id", userAction),
            entry("event_time", EVENT_TIME),
            entry("source_system", "src"),
            entry("schema_version", 1),
            entry("metadata", Map.of("region", "eu")),
            entry("source_topic", "raw.s-clicks"),
            entry("source_partition", 0),
            entry("source_offset", uaLanded.offset()),
            entry("user_id", "u-1"),
            entry("session_id", null),
            entry("action", "purchase"),
            entry("resource", "/p/9"),
            entry("email", pii.pseudonym("ana@example.com")),
            entry("ip_address", pii.pseudonym("10.1.2.3")),
            entry("properties", Map.of("n", "2")));
    Map<String, Object> tx = tables.get(SilverTable.TRANSACTIONS).get(transaction);
    assertThat(tx).containsEntry("transaction_id", "t-1").containsEntry("account_id", "a-1")
        .containsEntry("amount", new BigDecimal("12.5000")).containsEntry("currency", "EUR").containsEntry("merchant_id", "m-7")
        .containsEntry("status", "captured").containsEntry("payment_method", "card").containsEntry("card_last4", "1234")
        .containsEntry("source_topic", "raw.s-orders").containsEntry("source_offset", landed.get(1).offset());
    assertThat(tables.get(SilverTable.TRANSACTIONS).get(yen)).containsEntry("amount", new BigDecimal("1200.0000"))
        .containsEntry("currency", "JPY").containsEntry("status", "declined").containsEntry("payment_method", null)
        .containsEntry("card_last4", null);
    assertThat(tables.get(SilverTable.SYSTEM_EVENTS).get(system)).containsEntry("service", "checkout").containsEntry("level", "WARN")
        .containsEntry("message", "slow \uD83D\uDC22").containsEntry("code", "E7").containsEntry("host", null);
    assertThat(tables.get(SilverTable.METRICS).get(metric)).containsEntry("name", "cpu.load").containsEntry("value", 0.75)
        .containsEntry("unit", "ratio").containsEntry("tags", Map.of("host", "n1"));

    // Records in = rows out of validation + dead letters; rows written = rows out - duplicates dropped.
    assertThat(OperatorMetrics.sum(METRICS, job, "validate and cleanse", "medallion." + StageMetrics.RECORDS_IN)).isEqualTo(sent.size());
    assertThat(OperatorMetrics.sum(METRICS, job, "validate and cleanse", "medallion." + StageMetrics.ROWS_OUT))
        .isEqualTo(valid.size() + duplicates.size());
    Map<String, Long> lettersByCode = new HashMap<>();
    bad.forEach(b -> lettersByCode.merge(b.code(), 1L, Long::sum));
    for (ErrorCode code : ErrorCode.values()) {
      assertThat(OperatorMetrics.sum(METRICS, job, "validate and cleanse", "error_code." + code + "." + StageMetrics.DEAD_LETTERS))
          .as(code.name()).isEqualTo(lettersByCode.getOrDefault(code.name(), 0L));
    }
    assertThat(OperatorMetrics.sum(METRICS, job, "deduplicate .*", "medallion." + DeduplicateFunction.DUPLICATES_DROPPED))
        .isEqualTo(duplicates.size());

    List<ConsumerRecord<byte[], byte[]>> letters = kafka.readCommitted("dlq.s-silver");
    assertThat(letters).hasSize(bad.size());
    int firstBad = valid.size() + duplicates.size();
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      int i = Integer.parseInt(new String(letter.key(), StandardCharsets.UTF_8).substring("bad-".length()));
      Map<String, String> headers = new LinkedHashMap<>();
      for (Header h : letter.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      RecordMetadata source = landed.get(firstBad + i);
      assertThat(letter.value()).isEqualTo(sent.get(firstBad + i).value());
      assertThat(headers.get(DeadLetterHeaders.ERROR_CODE)).as(bad.get(i).json()).isEqualTo(bad.get(i).code());
      assertThat(headers.get(DeadLetterHeaders.ERROR_FIELD)).as(bad.get(i).json()).isEqualTo(bad.get(i).field());
      assertThat(headers.get(DeadLetterHeaders.ERROR_MESSAGE)).isNotBlank();
      assertThat(headers).containsEntry(DeadLetterHeaders.STAGE, "silver").containsEntry(DeadLetterHeaders.JOB, "silver-transform")
          .containsEntry(DeadLetterHeaders.SOURCE_TOPIC, source.topic())
          .containsEntry(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(source.partition()))
          .containsEntry(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(source.offset()))
          .containsEntry(DeadLetterHeaders.SOURCE_TIMESTAMP, RECORDED.toString());
      assertThat(Instant.parse(headers.get(DeadLetterHeaders.FAILED_AT))).isBetween(start, end);
    }
  }

  @Test
  void writesEveryRowAndDeadLetterExactlyOnceAcrossAFailureAfterACompletedCheckpoint() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw.seo-events";
    kafka.createTopics(2, topic);
    kafka.createTopics(1, "dlq.seo-silver");
    EventFactory events = new EventFactory(23, EVENT_TIME.minus(Duration.ofHours(3)), Duration.ofHours(3));
    Map<SilverTable, List<String>> expectedIds = new EnumMap<>(SilverTable.class);
    List<ProducerRecord<byte[], byte[]>> firstBatch = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> secondBatch = new ArrayList<>();
    ObjectNode failOn = events.next("metric");
    for (int i = 0; i < 160; i++) {
      ObjectNode e = i == 80 ? failOn : events.next();
      String id = e.get("event_id").asText();
      expectedIds.computeIfAbsent(SilverTable.forEventType(e.get("event_type").asText()).orElseThrow(), t -> new ArrayList<>()).add(id);
      ProducerRecord<byte[], byte[]> r = record(topic, i % 2, id, EventFactory.text(e));
      (i < 80 ? firstBatch : secondBatch).add(r);
      if (i % 20 == 0) {
        // A copy in the same batch, and one after the restart: neither may yield a second row.
        (i < 80 ? firstBatch : secondBatch).add(r);
        secondBatch.add(r);
      }
    }
    List<String> badKeys = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String key = "bad-" + i;
      badKeys.add(key);
      String json = event("0c8f8a3e-7777-4d1e-9b7a-00000000000" + i, "metric", EVENT_TIME, "{\"name\":\"Bad Name\",\"value\":1}");
      (i % 2 == 0 ? firstBatch : secondBatch).add(record(topic, i % 2, key, json));
    }
    JobConfig config = config("raw\\.seo-.*", "dlq.seo-silver");
    // Paimon's committer fails once on purpose after a restore (shared/PITFALLS.md): allow it.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 4));
    List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(firstBatch);
    all.addAll(secondBatch);
    KafkaSource<RawRecord> source = TestSources.rawUntil(kafka, topic, "silver-eo-it", all);
    SharedReference<AtomicBoolean> failed = shared.add(new AtomicBoolean());
    Map<SilverTable, Consumer<DataStream<RowData>>> sinks = new EnumMap<>(SilverTable.class);
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        Consumer<DataStream<RowData>> paimon =
            LakeSinks.paimon(PaimonTables.ensure(catalog, table.identifier(), table.schema()), SilverTransformJob.sinkUid(table));
        sinks.put(
            table,
            table != SilverTable.METRICS
                ? paimon
                : rows ->
                    paimon.accept(
                        rows.map(new FailOnce(SilverTable.EVENT_ID, failOn.get("event_id").asText(), failed))
                            .returns(InternalTypeInfo.of(table.flinkRowType()))
                            .uid("inject-failure")
                            .name("inject failure")));
      }
    }
    SilverTransformJob.build(
        env, source, SilverTransformJob.SOURCE_UID, SilverSettings.of(config), sinks, LakeSinks.sink(KafkaConnectors.deadLetterSink(config), SilverTransformJob.DLQ_SINK_UID),
        LakeSinks.ledger(config, SilverTransformJob.SPEC.name()));

    kafka.produce(firstBatch);
    JobClient job = env.executeAsync("silver-transform-exactly-once-it");
    long firstRows = firstBatch.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("bad-")).distinct().count();
    await().atMost(Duration.ofSeconds(90)).until(() -> rowCount(config) == firstRows);
    assertThat(failed.get().get()).isFalse();
    kafka.produce(secondBatch);
    job.getJobExecutionResult().get();

    assertThat(failed.get().get()).as("the injected failure happened").isTrue();
    assertEveryTableHoldsExactly(config, expectedIds);
    assertThat(kafka.readCommitted("dlq.seo-silver").stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList())
        .containsExactlyInAnyOrderElementsOf(badKeys);
  }

  @Test
  void stopsWithASavepointAndResumesFromItAtAnotherParallelismWithEveryRowOnce() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw.rescale-events";
    kafka.createTopics(2, topic);
    kafka.createTopics(1, "dlq.rescale-silver");
    EventFactory events = new EventFactory(29, EVENT_TIME.minus(Duration.ofHours(3)), Duration.ofHours(3));
    Map<SilverTable, List<String>> expectedIds = new EnumMap<>(SilverTable.class);
    List<ProducerRecord<byte[], byte[]>> beforeStop = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> afterResume = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ObjectNode e = events.next();
      String id = e.get("event_id").asText();
      expectedIds.computeIfAbsent(SilverTable.forEventType(e.get("event_type").asText()).orElseThrow(), t -> new ArrayList<>()).add(id);
      ProducerRecord<byte[], byte[]> r = record(topic, i % 2, id, EventFactory.text(e));
      (i < 60 ? beforeStop : afterResume).add(r);
      if (i < 60 && i % 10 == 0) {
        // Sent again after the resume, to the other partition: the restored, rescaled dedup state must drop it.
        afterResume.add(record(topic, (i + 1) % 2, id, EventFactory.text(e)));
      }
    }
    String badJson = event("0c8f8a3e-8888-4d1e-9b7a-000000000001", "metric", EVENT_TIME, "{\"name\":\"Bad Name\",\"value\":1}");
    beforeStop.add(record(topic, 0, "bad-before", badJson));
    afterResume.add(record(topic, 1, "bad-after", badJson.replace("000000000001", "000000000002")));

    Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", topic);
    settings.put("dlq.topic", "dlq.rescale-silver");
    settings.put("pii.hmac-key", HMAC_KEY);
    JobConfig atTwo = JobConfig.of(SilverTransformJob.SPEC, settings);
    settings.put("parallelism", "1");
    JobConfig atOne = JobConfig.of(SilverTransformJob.SPEC, settings);

    kafka.produce(beforeStop);
    StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(atTwo));
    SilverTransformJob.define(first, atTwo);
    JobClient running = first.executeAsync("silver-transform-before-savepoint");
    await().atMost(Duration.ofSeconds(90)).until(() -> rowCount(atTwo) == 60);
    String savepoint =
        running.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();

    kafka.produce(afterResume);
    Configuration resumed = JobEnvironment.flinkConfiguration(atOne);
    resumed.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment(resumed);
    SilverTransformJob.define(second, atOne);
    JobClient resumedJob = second.executeAsync("silver-transform-after-savepoint");
    try {
      // Each partition ends with a unique row or a bad record, after the resent copies: once every
      // unique row and both dead letters are committed, a checkpoint has passed every copy too.
      await().atMost(Duration.ofSeconds(90)).until(() -> rowCount(atOne) >= 120 && kafka.readCommitted("dlq.rescale-silver").size() >= 2);
    } finally {
      resumedJob.cancel().get();
    }

    assertEveryTableHoldsExactly(atOne, expectedIds);
    assertThat(kafka.readCommitted("dlq.rescale-silver").stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList())
        .containsExactlyInAnyOrder("bad-before", "bad-after");
    // Paimon's first-row merge would hide a second row of an id when read: the restored dedup state dropped every copy.
    assertThat(OperatorMetrics.sum(METRICS, resumedJob.getJobID(), "deduplicate .*", "medallion." + DeduplicateFunction.DUPLICATES_DROPPED))
        .isEqualTo(6);

    // Each run's ledger balances on its own: the first up to the savepoint, the second from it.
    LedgerAudit.Report audit = Ledgers.audit(atOne, kafka);
    assertThat(audit.lines()).allSatisfy(line -> assertThat(line.problems()).isEmpty());
    assertThat(Ledgers.lines(audit, SilverTransformJob.SPEC.name()))
        .containsExactlyInAnyOrder(
            topic + "/0 read=31 written=30 dead=1 dropped=0 late=0",
            topic + "/1 read=30 written=30 dead=0 dropped=0 late=0",
            topic + "/0 read=30 written=30 dead=0 dropped=0 late=0",
            topic + "/1 read=37 written=30 dead=1 dropped=6 late=0");
  }

  private static void assertEveryTableHoldsExactly(JobConfig config, Map<SilverTable, List<String>> expectedIds) throws Exception {
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())).stream().map(r -> (String) r.get("event_id")).toList())
            .as(table.qualifiedName())
            .containsExactlyInAnyOrderElementsOf(expectedIds.getOrDefault(table, List.of()));
      }
    }
  }

  private static long rowCount(JobConfig config) throws Exception {
    long rows = 0;
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        rows += PaimonReads.readAll(catalog.getTable(table.identifier())).size();
      }
    }
    return rows;
  }
}
