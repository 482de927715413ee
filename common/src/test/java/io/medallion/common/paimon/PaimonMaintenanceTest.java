package io.medallion.common.paimon;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.config.ConfigException;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.gold.GoldTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.manifest.ManifestCommittable;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.sink.TableCommitImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention of {@link PaimonMaintenance} on real Paimon tables, on a temp directory. */
class PaimonMaintenanceTest {
  private static final JobSpec GOLD = new JobSpec("gold-aggregate", Stage.GOLD, EnumSet.of(JobSpec.Needs.PAIMON));

  @TempDir Path dir;

  /**
   * gold's tables publish Iceberg metadata with each commit (Paimon's Iceberg compatibility), and
   * that metadata expires its own snapshots with the table's retention. A commit arriving after
   * every earlier snapshot has outlived the retention (gold's tables stay quiet between window
   * firings) must leave metadata whose every snapshot's manifest list exists, and the next commit
   * must succeed, at the smallest snapshot-retain-min the configuration accepts.
   */
  @Test
  void goldTablesKeepTheirIcebergMetadataWhenEveryEarlierSnapshotHasExpiredAtTheSmallestRetainMinAccepted() throws Exception {
    JobConfig config = JobConfig.of(GOLD, settings(smallestRetainMinAccepted()));
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      GoldTable gold = GoldTable.SYSTEM_HEALTH;
      Map<String, String> retention = new HashMap<>(PaimonMaintenance.retentionOptions(config));
      // As if every snapshot but the newest snapshot-retain-min had outlived snapshot-time-retained
      // at each commit, without waiting for it: keep no more than those.
      retention.put(CoreOptions.SNAPSHOT_NUM_RETAINED_MAX.key(), retention.get(CoreOptions.SNAPSHOT_NUM_RETAINED_MIN.key()));
      FileStoreTable table = (FileStoreTable) PaimonTables.ensure(catalog, gold.identifier(), gold.schema()).copy(retention);

      try (TableCommitImpl commit = table.newCommit("maintenance-test").ignoreEmptyCommit(false)) {
        for (long identifier = 1; identifier <= 8; identifier++) {
          commit.commit(new ManifestCommittable(identifier));
          assertIcebergManifestListsExist(dir.resolve("iceberg").resolve(gold.identifier().getDatabaseName()).resolve(gold.identifier().getTableName()));
        }
      }
      assertThat(table.snapshotManager().earliestSnapshotId()).as("the configured retention expired snapshots").isGreaterThan(1L);
    }
  }

  private int smallestRetainMinAccepted() {
    for (int retainMin = 1; ; retainMin++) {
      try {
        JobConfig.of(GOLD, settings(retainMin));
        return retainMin;
      } catch (ConfigException tooSmall) {
        // try the next one
      }
    }
  }

  private Map<String, String> settings(int retainMin) {
    return Map.of(
        "kafka.bootstrap-servers", "k:9092",
        "paimon.catalog.warehouse", dir.toUri().toString(),
        ConfigOptions.PAIMON_MAINTENANCE_SNAPSHOT_RETAIN_MIN.key(), String.valueOf(retainMin));
  }

  /** Every manifest list that the newest Iceberg metadata names is there. */
  private static void assertIcebergManifestListsExist(Path icebergTable) throws Exception {
    Path metadata = icebergTable.resolve("metadata");
    String version = Files.readString(metadata.resolve("version-hint.text")).trim();
    String json = Files.readString(metadata.resolve("v" + version + ".metadata.json"));
    List<String> manifestLists =
        Stream.of(json.split("\"manifest-list\"\\s*:\\s*\"")).skip(1).map(rest -> rest.substring(0, rest.indexOf('"'))).toList();
    assertThat(manifestLists).isNotEmpty();
    for (String manifestList : manifestLists) {
      assertThat(Path.of(java.net.URI.create(manifestList.startsWith("/") ? "file:" + manifestList : manifestList)))
          .as("manifest list of Iceberg metadata v" + version)
          .exists();
    }
  }
}
