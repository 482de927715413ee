package io.medallion.common.silver;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.table.data.RowData;

/** The event time of a silver row (its {@code event_time} column), the time gold's windows use. */
public final class SilverEventTime implements SerializableTimestampAssigner<RowData> {
  private static final long serialVersionUID = 1L;

  /** The precision of the {@code event_time} column. */
  public static final int PRECISION = 6;

  /** Epoch milliseconds of a silver row's event time. */
  public static long millis(RowData silverRow) {
    return silverRow.getTimestamp(SilverTable.EVENT_TIME, PRECISION).getMillisecond();
  }

  @Override
  public long extractTimestamp(RowData silverRow, long recordTimestamp) {
    return millis(silverRow);
  }
}
