package io.medallion.common.iceberg;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.maintenance.api.DeleteOrphanFiles;
import org.apache.iceberg.flink.maintenance.api.ExpireSnapshots;
import org.apache.iceberg.flink.maintenance.api.RewriteDataFiles;
import org.apache.iceberg.flink.maintenance.api.TableMaintenance;

/**
 * Keeps an Iceberg table that a streaming job appends to healthy from inside that job, with
 * Iceberg's Flink TableMaintenance: snapshot expiry, orphan-file deletion and small-file compaction,
 * each on its own schedule. The tasks are serialized by the maintenance graph's own coordinator, so
 * no external lock (JDBC, ZooKeeper) is needed as long as one job maintains the table.
 *
 * <p>Recovery stays safe because the configuration refuses retention shorter than a checkpoint's
 * lifetime (see {@link ConfigOptions#ICEBERG_MAINTENANCE_SNAPSHOT_MAX_AGE} and {@link
 * ConfigOptions#ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE}), and because a job's maintenance only runs
 * while the job does: files of a checkpoint that a stopped job will restore from are not touched.
 */
public final class IcebergMaintenance {

  private IcebergMaintenance() {}

  /**
   * Adds the maintenance graph for {@code table} to {@code env} when {@code iceberg.maintenance.enabled}
   * and the job is unbounded (the graph's monitor source never ends, so a bounded job would not either).
   */
  public static void appendIfEnabled(StreamExecutionEnvironment env, JobConfig config, TableLoader table, String uidSuffix) {
    if (!config.get(ConfigOptions.ICEBERG_MAINTENANCE_ENABLED) || config.get(ConfigOptions.BOUNDED)) {
      return;
    }
    try {
      String dataLocation = dataLocation(table);
      TableMaintenance.forTable(env, table)
          .uidSuffix(uidSuffix)
          .rateLimit(config.get(ConfigOptions.ICEBERG_MAINTENANCE_INTERVAL))
          .add(
              ExpireSnapshots.builder()
                  .scheduleOnCommitCount(1)
                  .maxSnapshotAge(config.get(ConfigOptions.ICEBERG_MAINTENANCE_SNAPSHOT_MAX_AGE))
                  .retainLast(config.get(ConfigOptions.ICEBERG_MAINTENANCE_RETAIN_LAST)))
          .add(
              DeleteOrphanFiles.builder()
                  .scheduleOnInterval(config.get(ConfigOptions.ICEBERG_MAINTENANCE_ORPHAN_INTERVAL))
                  .location(dataLocation)
                  .minAge(config.get(ConfigOptions.ICEBERG_MAINTENANCE_ORPHAN_MIN_AGE)))
          .add(
              RewriteDataFiles.builder()
                  .scheduleOnDataFileCount(config.get(ConfigOptions.ICEBERG_MAINTENANCE_COMPACT_AFTER_FILES)))
          .append();
    } catch (IOException e) {
      throw new UncheckedIOException("adding the maintenance of Iceberg table " + table + " failed", e);
    }
  }

  /**
   * Where the table's data files are: orphan deletion looks only there. Over the whole table location,
   * Iceberg 1.11's Flink task deletes a Hadoop-catalog table's {@code metadata/version-hint.text},
   * which no snapshot refers to, and with it the table (reproduced by BronzeMaintenanceITCase).
   * Orphans in {@code metadata/} are manifests of failed commits: small, and left alone.
   */
  private static String dataLocation(TableLoader loader) throws IOException {
    try (TableLoader probe = loader.clone()) {
      probe.open();
      Table table = probe.loadTable();
      return table.properties().getOrDefault(TableProperties.WRITE_DATA_LOCATION, table.location() + "/data");
    }
  }
}
