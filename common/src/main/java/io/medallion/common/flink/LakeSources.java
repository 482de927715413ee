package io.medallion.common.flink;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.flink.source.FlinkSourceBuilder;
import org.apache.paimon.table.Table;

/** Source appliers for the lake tables a job reads. */
public final class LakeSources {

  private LakeSources() {}

  /**
   * Reads a Paimon table's changelog with Paimon's Flink source: the current snapshot first, then
   * every new snapshot (or, when {@code bounded}, the current snapshot only). Under a {@code
   * consumerId} the table's snapshot expiry waits for this reader, Paimon's split planner runs as
   * one dedicated task, and after the splits of each snapshot it emits the watermark that the
   * snapshot's writer committed with it (Paimon's snapshot watermark). The positions are
   * checkpointed; the uid prefix must never change.
   */
  public static DataStream<RowData> paimonChangelog(
      StreamExecutionEnvironment env, Table table, String consumerId, Duration discoveryInterval, boolean bounded, String uidPrefix) {
    Table reading =
        table.copy(
            Map.of(
                CoreOptions.CONSUMER_ID.key(), consumerId,
                CoreOptions.CONTINUOUS_DISCOVERY_INTERVAL.key(), discoveryInterval.toMillis() + " ms"));
    DataStream<RowData> rows = new FlinkSourceBuilder(reading).env(env).sourceName(uidPrefix).sourceBounded(bounded).build();
    Uids.assignMissing(rows.getTransformation(), null, uidPrefix);
    return rows;
  }
}
