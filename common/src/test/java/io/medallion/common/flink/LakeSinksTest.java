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
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.quality.QualityMetricsTable;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
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

  /** At parallelism 1 too, so that a savepoint taken there resumes at any other (FLINK-26358). */
  @Test
  void theCommittersStartTheirOwnVerticesWithMaxParallelismOneAtParallelismOne() throws Exception {
    CatalogLoader iceberg = IcebergCatalogs.hadoop(dir.resolve("iceberg").toUri().toString());
    QualityMetricsTable.definition().ensure(iceberg.loadCatalog());
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.resolve("paimon").toUri().toString())) {
      Table paimon = PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(1);
      env.enableCheckpointing(1000);
      RowType paimonType = LogicalTypeConversion.toLogicalType(paimon.rowType());
      LakeSinks.paimon(paimon, "test")
          .accept(env.fromSequence(0, 1).map(i -> (RowData) new GenericRowData(paimonType.getFieldCount()), InternalTypeInfo.of(paimonType)));
      LakeSinks.icebergAppend(TableLoader.fromCatalog(iceberg, QualityMetricsTable.IDENTIFIER), "metrics", false)
          .accept(env.fromSequence(0, 1).map(i -> (RowData) new GenericRowData(QualityMetricsTable.ROW_TYPE.getFieldCount()), InternalTypeInfo.of(QualityMetricsTable.ROW_TYPE)));

      Map<String, Integer> committerMaxParallelism = new HashMap<>();
      for (JobVertex vertex : env.getStreamGraph().getJobGraph().getVertices()) {
        if (vertex.getName().contains("Committer") && !vertex.getName().contains("Source")) {
          committerMaxParallelism.put(vertex.getName(), vertex.getMaxParallelism());
        }
      }
      assertThat(committerMaxParallelism).hasSize(2).allSatisfy((name, maxParallelism) -> assertThat(maxParallelism).as(name).isEqualTo(1));
    }
  }
}
