package io.medallion.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonMaintenance;
import io.medallion.common.silver.SilverTable;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.TestSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.consumer.ConsumerManager;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.table.FileStoreTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * gold-aggregate with the most aggressive Paimon retention its configuration accepts: its own gold
 * snapshots expire and a planted orphan is removed while it runs; then it is cancelled, silver
 * expires every snapshot before gold's consumer position (and keeps the older-than-retention ones
 * from it on), and gold restores from its latest checkpoint and counts every silver row once.
 *
 * <p>Paimon expires a table's snapshots only when its writer commits, and gold's sink commits only
 * at checkpoints that carry rows (its idle writers are closed after a commit or two): gold's own
 * snapshots expire at its first commit after they have outlived the retention, so the test gives
 * it rows to write then.
 */
class GoldMaintenanceITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  private static final Duration SIZE = Duration.ofMinutes(1);
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  /** checkpoint.timeout + 10 × checkpoint.interval: the shortest retention accepted. */
  private static final String SHORTEST_RETENTION = "13s";

  @Test
  void restoresAfterSilverExpiredPastItsPositionAndAfterOrphanRemovalCountingEveryRowOnce() throws Exception {
    KAFKA.broker().createTopics(1, "dlq.m-gold");
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "300ms", MiniClusters.PARALLELISM);
    settings.put("dlq.topic", "dlq.m-gold");
    settings.put("gold.discovery-interval", "200ms");
    // 2 s expired checkpoints on this shared machine, and the first expired one fails the job.
    settings.put("checkpoint.timeout", "10s");
    settings.put("paimon.maintenance.snapshot-time-retained", SHORTEST_RETENTION);
    settings.put("paimon.maintenance.snapshot-retain-min", "2");
    settings.put("paimon.maintenance.orphan-min-age", SHORTEST_RETENTION);
    settings.put("paimon.maintenance.orphan-interval", "1s");
    // Silver's consumer must outlive gold's downtime in this test; its floor is tested in JobConfigTest.
    settings.put("paimon.maintenance.consumer-expiration", "1h");
    JobConfig config = JobConfig.of(GoldAggregateJob.SPEC, settings);
    String consumerId = GoldAggregateJob.SPEC.name();

    try (Catalog catalog = PaimonCatalogs.create(config.withPrefix("paimon.catalog."))) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
      GoldAggregateJob.define(env, config);
      // The silver writer's retention, as silver-transform sets it on its sink, stored here because
      // SilverCommits writes through the catalog's table.
      for (SilverTable table : SilverTable.values()) {
        List<SchemaChange> retention = new ArrayList<>();
        PaimonMaintenance.retentionOptions(config).forEach((key, value) -> retention.add(SchemaChange.setOption(key, value)));
        catalog.alterTable(table.identifier(), retention, false);
      }
      FileStoreTable summary = (FileStoreTable) catalog.getTable(GoldTable.SYSTEM_HEALTH.identifier());
      Path bucket = Path.of(summary.location().toUri()).resolve("bucket-0");
      Files.createDirectories(bucket);
      Path orphan = Files.writeString(bucket.resolve("data-left-by-a-crashed-writer.parquet"), "not referenced by any snapshot");
      Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

      SilverCommits silver = new SilverCommits(catalog);
      silver.commitEmpty();
      List<SilverEvent> first = events(0, 40);
      List<SilverEvent> middle = events(40, 8);
      List<SilverEvent> second = events(48, 32);
      Instant firstWatermark = T0.plus(Duration.ofMinutes(5));
      Instant middleWatermark = T0.plus(Duration.ofMinutes(10));
      Instant lastWatermark = T0.plus(Duration.ofMinutes(15));
      List<SilverEvent> beforeCancel = new ArrayList<>(first);
      beforeCancel.addAll(middle);

      JobClient gold = env.executeAsync("gold-maintenance-it");
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> silver.consumedByEveryTable(consumerId));
        silver.commit(first, firstWatermark.toEpochMilli());
        awaitGold(catalog, ExpectedGold.rows(first, SIZE, firstWatermark));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(orphan).as("the orphan removed").doesNotExist());

        // Once every gold snapshot has outlived the retention, gold's next commits expire them (the
        // newest two whatever their age, so from its second new snapshot on): the sink's retention,
        // as the tables store none (Paimon's defaults, 1 h and at least 10 snapshots, keep them all).
        await().atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> Instant.now().isAfter(newestGoldSnapshot(catalog).plus(Duration.parse("PT" + SHORTEST_RETENTION))));
        Map<GoldTable, Long> agedOut = new EnumMap<>(GoldTable.class);
        for (GoldTable table : GoldTable.values()) {
          FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
          assertThat(paimon.options()).as(table + ": stores no retention").doesNotContainKeys(CoreOptions.SNAPSHOT_TIME_RETAINED.key(), CoreOptions.SNAPSHOT_NUM_RETAINED_MIN.key());
          agedOut.put(table, paimon.snapshotManager().latestSnapshotId());
        }
        // The watermark closes the windows of first's last five minutes: rows for every gold table.
        silver.commit(middle, middleWatermark.toEpochMilli());
        awaitGold(catalog, ExpectedGold.rows(beforeCancel, SIZE, middleWatermark));
        await().atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  for (GoldTable table : GoldTable.values()) {
                    FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
                    assertThat(paimon.snapshotManager().earliestSnapshotId())
                        .as(table + ": gold's own snapshots older than the retention expired")
                        .isGreaterThan(agedOut.get(table));
                  }
                });
      } finally {
        cancel(gold);
      }

      // Every silver snapshot before gold's position expires; the ones from it on outlive the retention.
      Map<SilverTable, Long> positions = new EnumMap<>(SilverTable.class);
      for (SilverTable table : SilverTable.values()) {
        FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
        positions.put(table, new ConsumerManager(paimon.fileIO(), paimon.location()).consumer(consumerId).orElseThrow().nextSnapshot());
      }
      silver.commit(second, lastWatermark.toEpochMilli());
      Instant protectedUntil = Instant.now().plus(Duration.parse("PT" + SHORTEST_RETENTION));
      await().atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                // Expiry runs at commit: empty ones, as silver commits at every checkpoint.
                silver.commitEmpty();
                return Instant.now().isAfter(protectedUntil) && expiredUpTo(catalog, positions);
              });
      for (SilverTable table : SilverTable.values()) {
        FileStoreTable paimon = (FileStoreTable) catalog.getTable(table.identifier());
        assertThat(positions.get(table)).as(table + ": gold had read snapshots that are now expired").isGreaterThan(1L);
        assertThat(Instant.ofEpochMilli(paimon.snapshotManager().snapshot(positions.get(table)).timeMillis()))
            .as(table + ": kept by the consumer, older than the retention")
            .isBefore(Instant.now().minus(Duration.parse("PT" + SHORTEST_RETENTION)));
      }

      // Paimon's committer fails once on purpose after re-committing what it restored.
      Configuration restored = TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3);
      restored.set(StateRecoveryOptions.SAVEPOINT_PATH, latestCheckpoint(dir.resolve("checkpoints").resolve(gold.getJobID().toHexString())));
      StreamExecutionEnvironment restoredEnv = StreamExecutionEnvironment.getExecutionEnvironment(restored);
      GoldAggregateJob.define(restoredEnv, config);
      JobClient resumed = restoredEnv.executeAsync("gold-maintenance-it-restored");
      try {
        List<SilverEvent> all = new ArrayList<>(beforeCancel);
        all.addAll(second);
        awaitGold(catalog, ExpectedGold.rows(all, SIZE, lastWatermark));
      } finally {
        cancel(resumed);
      }
    }
  }

  /** Events of every type, two per minute from T0, all on time. */
  private static List<SilverEvent> events(int from, int count) {
    List<SilverEvent> events = new ArrayList<>();
    for (int n = from; n < from + count; n++) {
      Instant time = T0.plusSeconds(15L * n);
      events.add(
          switch (n % 4) {
            case 0 -> SilverEvent.transaction(n, time, "m-" + n % 2, "EUR", (n % 7) + ".50", n % 5 == 0 ? "declined" : "captured");
            case 1 -> SilverEvent.userAction(n, time, "u-" + n % 3, "view", "/p/" + n % 5);
            case 2 -> SilverEvent.metric(n, time, "latency.ms", n * 0.5, Map.of("host", "n" + n % 2));
            default -> SilverEvent.system(n, time, "svc-" + n % 2, n % 3 == 0 ? "error" : "info");
          });
    }
    return events;
  }

  private static void awaitGold(Catalog catalog, Map<GoldTable, List<Map<String, Object>>> expected) {
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> GoldAggregateITCase.assertGoldHolds(catalog, expected));
  }

  /** Cancels {@code job}, or, when it has failed, throws its failure (the test log hides it). */
  private static void cancel(JobClient job) throws Exception {
    if (job.getJobStatus().get() == JobStatus.FAILED) {
      job.getJobExecutionResult().get();
    }
    job.cancel().get();
  }

  /** The commit time of the newest snapshot of any gold table. */
  private static Instant newestGoldSnapshot(Catalog catalog) throws Exception {
    Instant newest = Instant.EPOCH;
    for (GoldTable table : GoldTable.values()) {
      Snapshot latest = ((FileStoreTable) catalog.getTable(table.identifier())).snapshotManager().latestSnapshot();
      if (latest != null && Instant.ofEpochMilli(latest.timeMillis()).isAfter(newest)) {
        newest = Instant.ofEpochMilli(latest.timeMillis());
      }
    }
    return newest;
  }

  private static boolean expiredUpTo(Catalog catalog, Map<SilverTable, Long> positions) throws Exception {
    for (SilverTable table : SilverTable.values()) {
      Long earliest = ((FileStoreTable) catalog.getTable(table.identifier())).snapshotManager().earliestSnapshotId();
      if (earliest == null || earliest < positions.get(table)) {
        return false;
      }
      assertThat(earliest).as(table + ": the consumer's position is never expired").isEqualTo(positions.get(table));
    }
    return true;
  }

  private static String latestCheckpoint(Path jobCheckpoints) throws Exception {
    try (Stream<Path> checkpoints = Files.list(jobCheckpoints)) {
      return checkpoints
          .filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .orElseThrow()
          .toUri()
          .toString();
    }
  }
}
