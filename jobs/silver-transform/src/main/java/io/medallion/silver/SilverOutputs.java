package io.medallion.silver;

import io.medallion.common.silver.SilverTable;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.util.OutputTag;

/** One side output per silver table, each typed with its table's row type. */
final class SilverOutputs {
  static final Map<SilverTable, OutputTag<RowData>> TAGS = tags();

  private SilverOutputs() {}

  private static Map<SilverTable, OutputTag<RowData>> tags() {
    Map<SilverTable, OutputTag<RowData>> tags = new EnumMap<>(SilverTable.class);
    for (SilverTable table : SilverTable.values()) {
      tags.put(table, new OutputTag<>(table.qualifiedName(), InternalTypeInfo.of(table.flinkRowType())));
    }
    return Map.copyOf(tags);
  }
}
