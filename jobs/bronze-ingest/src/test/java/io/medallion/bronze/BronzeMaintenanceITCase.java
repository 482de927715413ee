package io.medallion.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.iceberg.IcebergMaintenance;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.FailOnce;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.TestSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.TableLoader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * bronze-ingest maintaining bronze.events with the most aggressive retention its configuration
 * accepts, while a failure after a completed checkpoint makes it restore: snapshots expire, small
 * files are compacted, a planted orphan is deleted, and every row is still there exactly once.
 */
class BronzeMaintenanceITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  @TempDir Path dir;

  @Test
  void restoresFromItsLatestCheckpointAfterExpiryCompactionAndOrphanRemovalWithEveryRowOnce() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    String topic = "raw.maintained";
    kafka.createTopics(2, topic);
    kafka.createTopics(1, "dlq.maintained");
    Map<String, String> settings = JobSettings.local(kafka.bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", topic);
    settings.put("dlq.topic", "dlq.maintained");
    // The shortest retention the configuration accepts: checkpoint.timeout + 10 × checkpoint.interval = 8 s.
    settings.put("checkpoint.timeout", "5s");
    settings.put("iceberg.maintenance.snapshot-max-age", "8s");
    settings.put("iceberg.maintenance.orphan-min-age", "8s");
    settings.put("iceberg.maintenance.retain-last", "1");
    settings.put("iceberg.maintenance.interval", "1s");
    settings.put("iceberg.maintenance.orphan-interval", "1s");
    settings.put("iceberg.maintenance.compact-after-files", "4");
    JobConfig config = JobConfig.of(BronzeIngestJob.SPEC, settings);

    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    Table table = BronzeEventsTable.definition().ensure(catalog);
    Path dataDir = Path.of(java.net.URI.create(table.location())).resolve("data");
    Files.createDirectories(dataDir);
    Path orphan = Files.writeString(dataDir.resolve("left-by-a-crashed-writer.parquet"), "not referenced by any snapshot");
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

    EventFactory events = new EventFactory(23, Instant.now().minus(Duration.ofHours(1)), Duration.ofMinutes(30));
    List<String> firstIds = new ArrayList<>();
    List<String> secondIds = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> first = new ArrayList<>();
    List<ProducerRecord<byte[], byte[]>> second = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      var event = events.next();
      String id = event.get("event_id").asText();
      (i < 60 ? firstIds : secondIds).add(id);
      (i < 60 ? first : second).add(new ProducerRecord<>(topic, i % 2, id.getBytes(), EventFactory.bytes(event)));
    }

    SharedReference<AtomicBoolean> failed = shared.add(new AtomicBoolean());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3));
    IcebergMaintenance.appendIfEnabled(
        env, config, TableLoader.fromCatalog(IcebergCatalogs.loader(config), BronzeEventsTable.IDENTIFIER), BronzeIngestJob.MAINTENANCE_UID_SUFFIX);
    BronzeIngestJob.build(
        env,
        KafkaConnectors.rawSource(config),
        4096,
        null,
        rows ->
            LakeSinks.icebergAppend(
                    TableLoader.fromCatalog(IcebergCatalogs.loader(config), BronzeEventsTable.IDENTIFIER), BronzeIngestJob.BRONZE_SINK_UID, false)
                .accept(
                    rows.map(new FailOnce(BronzeEventsTable.EVENT_ID, secondIds.get(7), failed))
                        .returns(InternalTypeInfo.of(BronzeEventsTable.ROW_TYPE))
                        .uid("inject-failure")
                        .name("inject failure")),
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), BronzeIngestJob.DLQ_SINK_UID),
        LakeSinks.ledger(config, BronzeIngestJob.SPEC.name()));
    JobClient job = env.executeAsync("bronze-maintenance-it");
    try {
      // Each record its own commit: many small files and snapshots for the maintenance to work on.
      for (ProducerRecord<byte[], byte[]> record : first.subList(0, 12)) {
        long before = IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER);
        kafka.produce(List.of(record));
        await().atMost(Duration.ofSeconds(60)).until(() -> IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER) > before);
      }
      kafka.produce(first.subList(12, first.size()));
      await().atMost(Duration.ofSeconds(60)).until(() -> IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER) == first.size());

      await().atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                table.refresh();
                List<Snapshot> retained = StreamSupport.stream(table.snapshots().spliterator(), false).toList();
                assertThat(table.currentSnapshot().sequenceNumber()).as("snapshots expired").isGreaterThan(retained.size());
                // The twelve one-record commits alone added twelve files. Compaction leaves one per
                // partition (event type × day: at most 8 here) plus fewer than compact-after-files new ones;
                // its own replace snapshot may already be expired, so count the files, not the snapshots.
                assertThat(Long.parseLong(table.currentSnapshot().summary().get("total-data-files")))
                    .as("small files compacted")
                    .isLessThan(12);
                assertThat(orphan).as("the orphan deleted").doesNotExist();
              });
      assertThat(failed.get().get()).isFalse();

      kafka.produce(second);
      await().atMost(Duration.ofSeconds(90))
          .until(() -> failed.get().get() && IcebergTables.rowCount(catalog, BronzeEventsTable.IDENTIFIER) >= first.size() + second.size());
      // A few more maintenance rounds after the restore, on the table it recovered.
      long sequence = currentSequence(table);
      await().atMost(Duration.ofSeconds(60)).until(() -> currentSequence(table) >= sequence + 3);
    } finally {
      job.cancel().get();
    }

    List<String> expected = new ArrayList<>(firstIds);
    expected.addAll(secondIds);
    assertThat(IcebergTables.readAll(catalog, BronzeEventsTable.IDENTIFIER))
        .extracting(r -> (String) r.getField("event_id"))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static long currentSequence(Table table) {
    table.refresh();
    return table.currentSnapshot().sequenceNumber();
  }
}
