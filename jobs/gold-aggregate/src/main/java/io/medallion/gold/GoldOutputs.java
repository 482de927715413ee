package io.medallion.gold;

import io.medallion.common.silver.SilverTable;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * The side output of the silver rows each gold table dead-letters, typed with the silver row type:
 * late rows, from the event-time assigner and from the windows, and rows its aggregation rejects.
 */
final class GoldOutputs {
  static final Map<SilverTable, OutputTag<RowData>> DEAD_LETTERS = tags();

  private GoldOutputs() {}

  private static Map<SilverTable, OutputTag<RowData>> tags() {
    Map<SilverTable, OutputTag<RowData>> tags = new EnumMap<>(SilverTable.class);
    for (SilverTable table : SilverTable.values()) {
      tags.put(table, new OutputTag<>("dead-letters-" + table.qualifiedName(), InternalTypeInfo.of(table.flinkRowType())));
    }
    return Map.copyOf(tags);
  }
}
