package io.medallion.common.flink;

import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.flink.sink.FlinkSink;

/**
 * Sink appliers: what a topology method receives for each of its outputs. Production passes these;
 * tests pass the same, or wrap them (e.g. to inject a failure before the sink).
 */
public final class LakeSinks {

  private LakeSinks() {}

  /**
   * Appends to an Iceberg table, committing once per checkpoint. The uid prefix must never change:
   * Iceberg's exactly-once restore matches the committer's state and the snapshot summary by it.
   * Writers stay chained to their input (no shuffle) and fan out to partitions.
   */
  public static Consumer<DataStream<RowData>> icebergAppend(TableLoader table, String uidPrefix) {
    return rows ->
        FlinkSink.forRowData(rows)
            .tableLoader(table)
            .uidPrefix(uidPrefix)
            .distributionMode(DistributionMode.NONE)
            .append()
            .uid(uidPrefix + "-discard")
            .name(uidPrefix);
  }

  /** Writes to a Sink V2 (e.g. an exactly-once Kafka sink) under a stable uid. */
  public static <T> Consumer<DataStream<T>> sink(Sink<T> sink, String uid) {
    return stream -> stream.sinkTo(sink).uid(uid).name(uid);
  }
}
