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
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.FailTimes;
import io.medallion.testkit.Faults;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.PaimonReads;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.WarehouseFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.paimon.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Silver keeps every row once and every dead letter once through the faults of the chaos testkit. */
class SilverChaosITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoTaskManagers(new Configuration());

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  private static final Instant RECORDED = Instant.parse("2026-11-22T12:00:00Z");
  private static final Instant EVENT_TIME = Instant.parse("2026-11-22T11:30:00.250Z");

  @TempDir Path dir;

  // Paimon's committer fails once on purpose after each restore (shared/PITFALLS.md): restart
  // budgets count those too.

  @Test
  void survivesAKafkaBrokerRestartMidStream() throws Exception {
    run("broker", 0, 10, Faults.brokerRestart(KAFKA.broker()));
  }

  @Test
  void survivesThreeFailuresInARow(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    JobID job = run("thrice", 3, 10, Faults.none());
    assertThat(Faults.restarted(miniCluster, job)).as("the job restarted").isTrue();
  }

  @Test
  void survivesTheWarehouseUnwritableForTwentySeconds(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    JobID job = run("unwritable", 0, 500, Faults.warehouseUnwritableFor(Duration.ofSeconds(20)));
    assertThat(Faults.restarted(miniCluster, job)).as("writes failed and the job restarted").isTrue();
  }

  @Test
  void survivesTheLossOfATaskManager(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
    try {
      JobID job = run("tm-loss", 0, 6, Faults.taskManagerLoss(miniCluster));
      assertThat(Faults.restarted(miniCluster, job)).as("the job lost tasks and restarted").isTrue();
    } finally {
      miniCluster.startTaskManager();
    }
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
   * a checkpoint, the next 45 are produced, the fault strikes, the rest follow, and the job ends at
   * their offsets. {@code failures} injected failures hit a metric event of the last part, each time
   * it comes again. Then each table holds each event id once and the dead-letter topic each bad key once.
   */
  private JobID run(String name, int failures, int restartAttempts, Faults.Fault fault) throws Exception {
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
        WarehouseFileSystem.onSwitchableWarehouses(JobSettings.local(kafka.bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM));
    settings.put("kafka.topic-pattern", "raw\\." + name);
    settings.put("dlq.topic", dlq);
    settings.put("pii.hmac-key", "it-secret-key");
    settings.put("bounded", "false");
    JobConfig config = JobConfig.of(SilverTransformJob.SPEC, settings);
    SharedReference<AtomicInteger> failed = shared.add(new AtomicInteger());
    long firstRows = batches.get(0).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("bad-")).distinct().count();
    JobID job =
        ChaosRun.of(
                "silver-chaos-" + name,
                TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), restartAttempts),
                env -> define(env, config, TestSources.rawUntil(kafka, topic, "silver-chaos-" + name, all), failOn.get("event_id").asText(), failures, failed))
            .first(() -> kafka.produce(batches.get(0)))
            .committedWhen(() -> rowCount(config) == firstRows)
            .then(() -> kafka.produce(batches.get(1)))
            .fault(fault)
            .rest(() -> kafka.produce(batches.get(2)))
            .toTheEnd();

    assertThat(failed.get()).as("injected failures").hasValue(failures);
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

  /** Silver with its real sinks, {@code failures} injected failures before the metrics table's on {@code failOn}. */
  private static void define(
      StreamExecutionEnvironment env, JobConfig config, KafkaSource<RawRecord> source, String failOn, int failures, SharedReference<AtomicInteger> failed)
      throws Exception {
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
                        rows.map(new FailTimes(SilverTable.EVENT_ID, failOn, failures, failed))
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
