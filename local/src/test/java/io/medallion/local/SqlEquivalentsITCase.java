package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.bronze.BronzeIngestJob;
import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flink SQL pipelines bench compares ours with, on a small hand-made topic: bronze_sql keeps
 * every parseable envelope (duplicates too), silver_sql one row per event, typed and normalized,
 * gold_sql one row per dimensions and minute.
 */
class SqlEquivalentsITCase {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "raw.sql-equivalents";
  private static final String MINUTE = "2026-11-22T10:00:";
  private static final String NEXT_MINUTE = "2026-11-22T10:01:";
  private static final String LATER_MINUTE = "2026-11-22T10:03:";

  /** The cluster bench runs on, whose metrics tell how many records a pipeline's sources read. */
  private static LocalFlink flink;

  @TempDir Path dir;

  @BeforeAll
  static void startFlink() throws Exception {
    flink = new LocalFlink(MiniClusters.PARALLELISM);
  }

  @AfterAll
  static void stopFlink() throws Exception {
    flink.close();
  }

  @Test
  void eachPipelineWritesExactlyTheRowsASqlUserWouldExpect() throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    events.add(transaction("t1", MINUTE + "10Z", "10.50", "captured"));
    events.add(transaction("t2", MINUTE + "40.250Z", "2.25", "declined"));
    // Later than the allowed lateness after t1 and t2, but first in key order: Paimon's scan may return it first.
    events.add(transaction("t0", LATER_MINUTE + "05Z", "5", "captured"));
    events.add(userAction("u1", MINUTE + "05Z", " View ", "r1"));
    events.add(userAction("u2", MINUTE + "20Z", "purchase", "r2"));
    ObjectNode system = EventFactory.envelope("s1", "system", MINUTE + "30Z", "ops", JSON.createObjectNode().put("service", "checkout").put("level", "warn").put("message", " disk almost full "));
    events.add(system);
    events.add(metric("m1", MINUTE + "15Z", 0.5));
    events.add(metric("m2", MINUTE + "45Z", 1.5));
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (ObjectNode event : events) {
      records.add(record(event.get("event_id").asText(), EventFactory.bytes(event)));
    }
    records.add(record("t1", EventFactory.bytes(events.get(0))));
    records.add(record("bad-1", "{\"event_id\": \"x\", not json".getBytes(StandardCharsets.UTF_8)));
    ObjectNode withoutId = transaction("t4", MINUTE + "50Z", "1", "captured");
    withoutId.remove("event_id");
    records.add(record("bad-2", EventFactory.bytes(withoutId)));
    KAFKA.broker().createTopics(1, TOPIC);
    KAFKA.broker().produce(records);
    JobConfig config = config();

    // The JSON format skips the malformed record before the source counts it; the filter drops the one without an id.
    assertThat(run(config, SqlEquivalents::bronze)).isEqualTo(11);
    List<Record> bronze = IcebergTables.readAll(IcebergCatalogs.loader(config).loadCatalog(), SqlEquivalents.bronzeIdentifier());
    assertThat(bronze)
        .extracting(r -> r.getField("event_id"), r -> r.getField("kafka_offset"), r -> r.getField("record_key"))
        .containsExactlyInAnyOrder(
            tuple("t1", 0L, "t1"), tuple("t2", 1L, "t2"), tuple("t0", 2L, "t0"), tuple("u1", 3L, "u1"), tuple("u2", 4L, "u2"),
            tuple("s1", 5L, "s1"), tuple("m1", 6L, "m1"), tuple("m2", 7L, "m2"), tuple("t1", 8L, "t1"));
    Record systemRow = bronze.stream().filter(r -> r.getField("event_id").equals("s1")).findFirst().orElseThrow();
    assertThat(systemRow.getField("payload")).isEqualTo(system.get("payload").toString());
    assertThat(systemRow.getField("metadata")).isEqualTo(Map.of("region", "eu-west-1"));
    assertThat(systemRow.getField("schema_version")).isEqualTo(1);

    // Four INSERTs share one scan of the topic.
    assertThat(run(config, SqlEquivalents::silver)).isEqualTo(11);
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      assertThat(silver(catalog, SilverTable.TRANSACTIONS))
          .extracting(r -> r.get("event_id"), r -> r.get("event_date"), r -> r.get("currency"), r -> r.get("amount"), r -> r.get("card_last4"))
          .containsExactlyInAnyOrder(
              tuple("t1", LocalDate.of(2026, 11, 22), "EUR", new BigDecimal("10.5000"), "1234"),
              tuple("t2", LocalDate.of(2026, 11, 22), "EUR", new BigDecimal("2.2500"), "1234"),
              tuple("t0", LocalDate.of(2026, 11, 22), "EUR", new BigDecimal("5.0000"), "1234"));
      assertThat(silver(catalog, SilverTable.USER_ACTIONS))
          .extracting(r -> r.get("event_id"), r -> r.get("action"), r -> r.get("resource"))
          .containsExactlyInAnyOrder(tuple("u1", "view", "r1"), tuple("u2", "purchase", "r2"));
      assertThat(silver(catalog, SilverTable.USER_ACTIONS)).allSatisfy(r -> assertThat((String) r.get("email")).hasSize(64));
      assertThat(silver(catalog, SilverTable.SYSTEM_EVENTS))
          .extracting(r -> r.get("event_id"), r -> r.get("level"), r -> r.get("message"), r -> r.get("event_time"))
          .containsExactly(tuple("s1", "WARN", "disk almost full", Instant.parse(MINUTE + "30Z")));
      assertThat(silver(catalog, SilverTable.METRICS))
          .extracting(r -> r.get("event_id"), r -> r.get("value"), r -> r.get("tags"))
          .containsExactlyInAnyOrder(tuple("m1", 0.5, Map.of("host", "h1")), tuple("m2", 1.5, Map.of("host", "h1")));
    }

    assertThat(run(config, (env, c) -> SqlEquivalents.gold(env, c, SqlEquivalents.SILVER_DATABASE))).isEqualTo(8);
    Instant first = Instant.parse(MINUTE + "00Z");
    Instant second = Instant.parse(NEXT_MINUTE + "00Z");
    Instant later = Instant.parse(LATER_MINUTE + "00Z");
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      assertThat(gold(catalog, GoldTable.TRANSACTION_SUMMARY))
          .extracting(
              r -> r.get("merchant_id"), r -> r.get("window_start"), r -> r.get("window_end"), r -> r.get("transaction_count"),
              r -> r.get("amount_sum"), r -> r.get("amount_min"), r -> r.get("amount_max"), r -> r.get("declined_count"))
          .containsExactlyInAnyOrder(
              tuple("m-1", first, second, 2L, new BigDecimal("12.7500"), new BigDecimal("2.2500"), new BigDecimal("10.5000"), 1L),
              tuple("m-1", later, later.plusSeconds(60), 1L, new BigDecimal("5.0000"), new BigDecimal("5.0000"), new BigDecimal("5.0000"), 0L));
      assertThat(gold(catalog, GoldTable.USER_ACTIVITY))
          .extracting(r -> r.get("user_id"), r -> r.get("window_start"), r -> r.get("purchases"), r -> r.get("distinct_resources"))
          .containsExactly(tuple("user-1", first, 1L, 2L));
      assertThat(gold(catalog, GoldTable.USER_ACTIVITY).get(0).get("actions"))
          .isEqualTo(Map.of("view", 1L, "purchase", 1L, "click", 0L, "search", 0L, "add_to_cart", 0L, "login", 0L, "logout", 0L));
      assertThat(gold(catalog, GoldTable.METRIC_ROLLUP))
          .extracting(r -> r.get("name"), r -> r.get("tags"), r -> r.get("value_count"), r -> r.get("value_min"), r -> r.get("value_max"), r -> r.get("value_sum"))
          .containsExactly(tuple("cpu.load", "{host=h1}", 2L, 0.5, 1.5, 2.0));
      assertThat(gold(catalog, GoldTable.SYSTEM_HEALTH))
          .extracting(r -> r.get("service"), r -> r.get("level"), r -> r.get("window_start"), r -> r.get("event_count"))
          .containsExactly(tuple("checkout", "WARN", first, 1L));
    }
  }

  private JobConfig config() {
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", TOPIC);
    settings.put("bounded", "true");
    settings.put("pii.hmac-key", "test-only-key");
    return JobConfig.of(BronzeIngestJob.SPEC, settings);
  }

  /** Runs one bounded SQL pipeline to its end (its final checkpoint commits every row); returns the records its sources emitted. */
  private static long run(JobConfig config, JobCatalog.Definition pipeline) throws Exception {
    StreamExecutionEnvironment env = LocalFlink.environment(JobEnvironment.flinkConfiguration(config));
    pipeline.define(env, config);
    JobID job = flink.submit(env, "sql-equivalent");
    flink.await(job);
    return flink.recordsReadBySources(job);
  }

  private static List<Map<String, Object>> silver(Catalog catalog, SilverTable table) throws Exception {
    return PaimonReads.readAll(catalog.getTable(SqlEquivalents.silverIdentifier(table)));
  }

  private static List<Map<String, Object>> gold(Catalog catalog, GoldTable table) throws Exception {
    return PaimonReads.readAll(catalog.getTable(SqlEquivalents.goldIdentifier(table)));
  }

  private static ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
    return new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8), value);
  }

  private static ObjectNode transaction(String id, String time, String amount, String status) {
    ObjectNode payload =
        JSON.createObjectNode()
        .put("transaction_id", "tx-" + id)
        .put("account_id", "acc-1")
        .put("amount", new BigDecimal(amount))
        .put("currency", "eur")
        .put("merchant_id", "m-1")
        .put("status", status)
        .put("card_number", "4000 0000 0000 1234");
    return EventFactory.envelope(id, "transaction", time, "payments-api", payload);
  }

  private static ObjectNode userAction(String id, String time, String action, String resource) {
    ObjectNode payload = JSON.createObjectNode().put("user_id", "user-1").put("action", action).put("resource", resource).put("email", " A@Example.com ");
    return EventFactory.envelope(id, "user_action", time, "web", payload);
  }

  private static ObjectNode metric(String id, String time, double value) {
    ObjectNode payload = JSON.createObjectNode().put("name", "cpu.load").put("value", value);
    payload.putObject("tags").put("host", "h1");
    return EventFactory.envelope(id, "metric", time, "agent", payload);
  }
}
