package io.medallion.common.flink;

import io.medallion.common.paimon.ChangelogWatermarkReadBuilder;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.flink.FlinkConnectorOptions;
import org.apache.paimon.flink.LogicalTypeConversion;
import org.apache.paimon.flink.source.FlinkSourceBuilder;
import org.apache.paimon.flink.source.operator.MonitorSource;
import org.apache.paimon.flink.utils.TableScanUtils;
import org.apache.paimon.options.Options;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;

/** Source appliers for the lake tables a job reads. */
public final class LakeSources {

  private LakeSources() {}

  /**
   * Reads a Paimon table's changelog with Paimon's Flink source: the current snapshot first, then
   * every new snapshot (or, when {@code bounded}, the current snapshot only). Under a {@code
   * consumerId} the table's snapshot expiry waits for this reader, Paimon's split planner runs as
   * one dedicated task, and after the splits of each snapshot it emits the watermark that the
   * snapshot's writer committed with it (Paimon's snapshot watermark), also past the row-less
   * snapshots a quiet writer commits (see {@link ChangelogWatermarkReadBuilder}). The positions are
   * checkpointed; the uid prefix must never change.
   */
  public static DataStream<RowData> paimonChangelog(
      StreamExecutionEnvironment env, Table table, String consumerId, Duration discoveryInterval, boolean bounded, String uidPrefix) {
    Table reading =
        table.copy(
            Map.of(
                CoreOptions.CONSUMER_ID.key(), consumerId,
                CoreOptions.CONTINUOUS_DISCOVERY_INTERVAL.key(), discoveryInterval.toMillis() + " ms"));
    DataStream<RowData> rows =
        bounded
            ? new FlinkSourceBuilder(reading).env(env).sourceName(uidPrefix).sourceBounded(true).build()
            : streamingChangelog(env, (FileStoreTable) reading, discoveryInterval, uidPrefix);
    Uids.assignMissing(rows.getTransformation(), null, uidPrefix);
    return rows;
  }

  /**
   * What Paimon's {@code FlinkSourceBuilder} builds for a streaming read under a consumer id (its
   * dedicated split planner, a primary-key table's splits ordered by partition and bucket, the same operator names and so the same uids), with
   * the read builder that lets the snapshot watermark pass row-less snapshots.
   */
  private static DataStream<RowData> streamingChangelog(
      StreamExecutionEnvironment env, FileStoreTable table, Duration discoveryInterval, String name) {
    TableScanUtils.streamingReadingValidate(table);
    return MonitorSource.buildSource(
        env,
        name,
        InternalTypeInfo.of(LogicalTypeConversion.toLogicalType(table.rowType())),
        new ChangelogWatermarkReadBuilder(table).dropStats(),
        discoveryInterval.toMillis(),
        true,
        Options.fromMap(table.options()).get(FlinkConnectorOptions.READ_SHUFFLE_BUCKET_WITH_PARTITION),
        false,
        null,
        false,
        null);
  }
}
