package io.medallion.common.paimon;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.operation.CleanOrphanFilesResult;
import org.apache.paimon.operation.LocalOrphanFilesClean;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;

/**
 * The retention of the Paimon tables a job writes, and their orphan-file removal.
 *
 * <p>Snapshot expiry is Paimon's own, run by the writer's committer after each commit, with the
 * options of {@link #retentionOptions}: set on the table the sink writes through, so the
 * configuration is the one place they come from (options stored in a table are not consulted for
 * them). A restore needs three things from a table, and each is kept: the writer's latest
 * snapshot (Paimon's committer looks up its last commit there, and {@code
 * snapshot.num-retained.min} is at least 2, with one writer per table); the snapshots a reader's
 * checkpoint points at (gold reads silver under a consumer id, whose position Paimon writes at each
 * completed checkpoint and never expires past); and the files of a checkpoint not yet committed,
 * which belong to no snapshot (orphan removal spares files younger than {@code
 * paimon.maintenance.orphan-min-age}, at least a checkpoint's lifetime, and runs only in a
 * running job, at a completed checkpoint: after a restore, Paimon's committer has committed the
 * restored files before any checkpoint completes).
 */
public final class PaimonMaintenance {

  public static final String ORPHAN_REMOVAL_UID_PREFIX = "paimon-orphan-removal-";

  private PaimonMaintenance() {}

  /**
   * The expiry options of {@code paimon.maintenance.*}. The changelog (silver's, which gold
   * streams) is left coupled to the snapshots: it expires with them, and so is protected by the
   * same consumer.
   *
   * <p>{@code snapshot.num-retained.min} is at least 2 (the configuration refuses less): gold's
   * tables publish Iceberg metadata at each commit ({@code metadata.iceberg.storage}), and Paimon
   * 1.4's Iceberg commit callback expires that metadata's snapshots with these options, but when
   * every snapshot before the new one may expire, it deletes their manifest lists and still lists
   * them: Iceberg readers then miss files, and every later commit of the table, including the one
   * a restore repeats, fails reading them. With 2 the snapshot before the newest always stays.
   */
  public static Map<String, String> retentionOptions(JobConfig config) {
    return Map.of(
        CoreOptions.SNAPSHOT_TIME_RETAINED.key(), config.get(ConfigOptions.PAIMON_MAINTENANCE_SNAPSHOT_TIME_RETAINED).toMillis() + " ms",
        CoreOptions.SNAPSHOT_NUM_RETAINED_MIN.key(), String.valueOf(config.get(ConfigOptions.PAIMON_MAINTENANCE_SNAPSHOT_RETAIN_MIN)),
        CoreOptions.CONSUMER_EXPIRATION_TIME.key(), config.get(ConfigOptions.PAIMON_MAINTENANCE_CONSUMER_EXPIRATION).toMillis() + " ms");
  }

  /** {@code table} with the configured retention, for the sink that writes (and so expires) it. */
  public static Table withRetention(Table table, JobConfig config) {
    return table.copy(retentionOptions(config));
  }

  /**
   * Deletes the files of {@code table} that no snapshot, tag or changelog refers to and that are
   * older than {@code minAge}, with Paimon's {@link LocalOrphanFilesClean}.
   */
  public static CleanOrphanFilesResult removeOrphanFiles(Catalog catalog, Identifier table, Duration minAge) throws Exception {
    FileStoreTable store = (FileStoreTable) catalog.getTable(table);
    return new LocalOrphanFilesClean(store, System.currentTimeMillis() - minAge.toMillis()).clean();
  }

  /**
   * Adds the orphan-file removal of {@code tables} to {@code env} when {@code
   * paimon.maintenance.enabled} and the job is unbounded: a tick per checkpoint drives one task
   * that, at a completed checkpoint once {@code orphan-interval} has passed, lists the tables in the
   * background. In the job rather than in a separate command, so it never runs while the job is
   * down with a checkpoint whose files are not committed yet, however long that is.
   */
  public static void appendIfEnabled(StreamExecutionEnvironment env, JobConfig config, List<Identifier> tables, String uidSuffix) {
    if (!config.get(ConfigOptions.PAIMON_MAINTENANCE_ENABLED) || config.get(ConfigOptions.BOUNDED)) {
      return;
    }
    DataGeneratorSource<Long> ticks =
        new DataGeneratorSource<>(index -> index, Long.MAX_VALUE, RateLimiterStrategy.perCheckpoint(1), Types.LONG);
    String uid = ORPHAN_REMOVAL_UID_PREFIX + uidSuffix;
    env.fromSource(ticks, WatermarkStrategy.noWatermarks(), "checkpoint ticks " + uidSuffix)
        .uid(uid + "-ticks")
        .setParallelism(1)
        .process(
            new OrphanFilesRemover(
                config.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX),
                tables.stream().map(Identifier::getFullName).toList(),
                config.get(ConfigOptions.PAIMON_MAINTENANCE_ORPHAN_MIN_AGE),
                config.get(ConfigOptions.PAIMON_MAINTENANCE_ORPHAN_INTERVAL)),
            Types.VOID)
        .uid(uid)
        .name("remove orphan files " + uidSuffix)
        .setParallelism(1);
  }
}
