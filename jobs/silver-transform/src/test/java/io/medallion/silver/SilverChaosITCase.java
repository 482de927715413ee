package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.ChaosRun;
import io.medallion.testkit.ChaosSuite;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.WarehouseFileSystem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;

/** Silver keeps every row once and every dead letter once through the faults of the chaos testkit. */
class SilverChaosITCase extends ChaosSuite {
  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");
  private static final Instant EVENT_TIME = Instant.parse("2026-11-22T11:30:00.250Z");

  @Override
  protected int parallelismBeforeSavepoint() {
    return 2;
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String json) {
    return new ProducerRecord<>(
        topic, partition, RECORDED.toEpochMilli(), key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  private static String badEvent(int i) {
    return "{\"event_id\":\"0c8f8a3e-7777-4d1e-9b7a-00000000000" + i + "\",\"event_type\":\"metric\",\"event_timestamp\":\""
        + EVENT_TIME + "\",\"source_system\":\" src \",\"schema_version\":1,\"payload\":{\"name\":\"Bad Name\",\"value\":1},"
        + "\"metadata\":{\"region\":\"eu\"}}";
  }

  /**
   * Runs silver on 150 events (some sent twice) and 6 invalid ones: the first 60 are committed by
   * a checkpoint, the next 45 are produced, the disturbance strikes, the rest follow, and the job
   * ends at their offsets. Injected failures strike in front of the metrics table's sink; those on
   * a row hit a metric event of the last part. Then each table holds each event id once and the
   * dead-letter topic each bad key once.
   */
  @Override
  protected JobID run(ChaosCase chaosCase) throws Exception {
    String name = chaosCase.name();
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw." + name;
    String dlq = "dlq." + name;
    kafka.createTopics(2, topic);
    kafka.createTopics(1, dlq);
    EventFactory events = new EventFactory(name.hashCode(), EVENT_TIME.minus(Duration.ofHours(3)), Duration.ofHours(3));
    Map<SilverTable, List<String>> expectedIds = new EnumMap<>(SilverTable.class);
    List<List<ProducerRecord<byte[], byte[]>>> batches = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    ObjectNode failOn = events.next("metric");
    for (int i = 0; i < 150; i++) {
      ObjectNode e = i == 110 ? failOn : events.next();
      String id = e.get("event_id").asText();
      expectedIds.computeIfAbsent(SilverTable.forEventType(e.get("event_type").asText()).orElseThrow(), t -> new ArrayList<>()).add(id);
      ProducerRecord<byte[], byte[]> r = record(topic, i % 2, id, EventFactory.text(e));
      int batch = i < 60 ? 0 : i < 105 ? 1 : 2;
      batches.get(batch).add(r);
      if (i % 20 == 0) {
        // Copies, one in the same part and one after the fault: neither may yield a second row.
        batches.get(batch).add(r);
        batches.get(2).add(r);
      }
    }
    List<String> badKeys = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      badKeys.add("bad-" + i);
      batches.get(i % 3).add(record(topic, i % 2, "bad-" + i, badEvent(i)));
    }
    List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
    batches.forEach(all::addAll);

    Map<String, String> settings =
        WarehouseFileSystem.onSwitchableWarehouses(JobSettings.local(kafka.bootstrapServers(), dir, "500ms", chaosCase.parallelism()));
    settings.put("kafka.topic-pattern", "raw\\." + name);
    settings.put("dlq.topic", dlq);
    settings.put("pii.hmac-key", "it-secret-key");
    settings.put("bounded", "false");
    JobConfig config = JobConfig.of(SilverTransformJob.SPEC, settings);
    long firstRows = batches.get(0).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("bad-")).distinct().count();
    ChaosRun chaos =
        ChaosRun.of(
                "silver-chaos-" + name,
                TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), chaosCase.restartAttempts()),
                env ->
                    define(
                        env,
                        config,
                        TestSources.rawUntil(kafka, topic, "silver-chaos-" + name, all),
                        chaosCase.failureInjection(SilverTable.EVENT_ID, failOn.get("event_id").asText())))
            .first(() -> kafka.produce(batches.get(0)))
            .committedWhen(() -> rowCount(config) == firstRows)
            .then(() -> kafka.produce(batches.get(1)))
            .rest(() -> kafka.produce(batches.get(2)))
            .resumedStopsWhen(() -> TestSources.readToTheEnd(kafka, "silver-chaos-" + name, topic, all));
    JobID job = chaosCase.disturbance().apply(chaos).toTheEnd();

    assertInjected(chaosCase);
    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      for (SilverTable table : SilverTable.values()) {
        assertThat(PaimonReads.readAll(catalog.getTable(table.identifier())).stream().map(r -> (String) r.get("event_id")).toList())
            .as(table.qualifiedName())
            .containsExactlyInAnyOrderElementsOf(expectedIds.getOrDefault(table, List.of()));
      }
    }
    assertThat(kafka.readCommitted(dlq).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList())
        .containsExactlyInAnyOrderElementsOf(badKeys);
    // Every record read once over all runs (a resume from a savepoint is a run of its own), and the ledger balances.
    assertThat(Ledgers.readPerPartition(Ledgers.balanced(config, kafka), SilverTransformJob.SPEC.name()))
        .isEqualTo(Ledgers.recordsPerPartition(kafka, topic));
    return job;
  }

  /** Silver with its real sinks, {@code failureInjection} in front of the metrics table's. */
  private static void define(
      StreamExecutionEnvironment env, JobConfig config, KafkaSource<RawRecord> source, MapFunction<RowData, RowData> failureInjection) throws Exception {
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
                        rows.map(failureInjection)
                            .returns(InternalTypeInfo.of(table.flinkRowType()))
                            .uid("inject-failure")
                            .name("inject failure")));
      }
    }
    SilverTransformJob.build(
        env, source, SilverTransformJob.SOURCE_UID, SilverSettings.of(config), sinks,
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), SilverTransformJob.DLQ_SINK_UID),
        LakeSinks.ledger(config, SilverTransformJob.SPEC.name()));
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
