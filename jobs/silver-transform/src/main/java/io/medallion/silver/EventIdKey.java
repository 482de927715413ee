package io.medallion.silver;

import io.medallion.common.silver.SilverTable;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.RowData;

/** The event id of a silver row: the deduplication key. */
final class EventIdKey implements KeySelector<RowData, String> {
  private static final long serialVersionUID = 1L;

  @Override
  public String getKey(RowData row) {
    return row.getString(SilverTable.EVENT_ID).toString();
  }
}
