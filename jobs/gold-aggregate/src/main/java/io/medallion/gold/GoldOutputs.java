package io.medallion.gold;

import io.medallion.common.silver.SilverTable;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.OutputTag;

/** The late side output of each silver table's windows, typed with the silver row type. */
final class GoldOutputs {
  static final Map<SilverTable, OutputTag<RowData>> LATE = tags();

  private GoldOutputs() {}

  private static Map<SilverTable, OutputTag<RowData>> tags() {
    Map<SilverTable, OutputTag<RowData>> tags = new EnumMap<>(SilverTable.class);
    for (SilverTable table : SilverTable.values()) {
      tags.put(table, new OutputTag<>("late-" + table.qualifiedName(), InternalTypeInfo.of(table.flinkRowType())));
    }
    return Map.copyOf(tags);
  }
}
