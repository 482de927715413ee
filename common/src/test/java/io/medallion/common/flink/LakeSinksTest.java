package io.medallion.common.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.flink.LogicalTypeConversion;
import org.apache.paimon.table.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job graph Paimon's sink adds, against a real Paimon table on a temp directory. */
class LakeSinksTest {
  @TempDir Path dir;

  @Test
  void paimonWritersTakeTheirTablesWriteBufferFromManagedMemory() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      Table table = PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      RowType rowType = LogicalTypeConversion.toLogicalType(table.rowType());
      var rows = env.fromSequence(0, 1).map(i -> (RowData) new GenericRowData(rowType.getFieldCount()), InternalTypeInfo.of(rowType));

      LakeSinks.paimon(table, "test").accept(rows);

      Map<String, Integer> operatorMemoryByName = new HashMap<>();
      Deque<Transformation<?>> todo = new ArrayDeque<>(env.getTransformations());
      while (!todo.isEmpty()) {
        Transformation<?> transformation = todo.pop();
        Integer weight = transformation.getManagedMemoryOperatorScopeUseCaseWeights().get(ManagedMemoryUseCase.OPERATOR);
        if (weight != null) {
          operatorMemoryByName.put(transformation.getName(), weight);
        }
        todo.addAll(transformation.getInputs());
      }
      // One writer, weighted by the table's write-buffer-size (64 MB), in mebibytes.
      assertThat(operatorMemoryByName).hasSize(1);
      assertThat(operatorMemoryByName.keySet().iterator().next()).contains("Writer");
      assertThat(operatorMemoryByName.values()).containsExactly(64);
    }
  }
}
