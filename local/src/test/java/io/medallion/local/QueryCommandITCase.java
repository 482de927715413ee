package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `medallion query` runs Flink SQL in batch mode over real Iceberg and Paimon tables. */
class QueryCommandITCase {
  @TempDir Path dir;

  @Test
  void answersSqlOverBothCatalogsOfADataDirectory() throws Exception {
    BronzeEventsTable.definition().ensure(IcebergCatalogs.hadoop(dir.resolve("iceberg").toUri().toString()).loadCatalog());
    try (Catalog paimon = PaimonCatalogs.filesystem(dir.resolve("paimon").toUri().toString())) {
      Table metrics = PaimonTables.ensure(paimon, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());
      BatchWriteBuilder builder = metrics.newBatchWriteBuilder();
      // Lookup changelog tables need a spill directory for the writer's lookups.
      try (IOManager io = IOManager.create(dir.resolve("io").toString());
          BatchTableWrite write = (BatchTableWrite) builder.newWrite().withIOManager(io);
          BatchTableCommit commit = builder.newCommit()) {
        write.write(metric("0c8f8a3e-0000-4d1e-9b7a-000000000001", "cpu.load", 0.75));
        write.write(metric("0c8f8a3e-0000-4d1e-9b7a-000000000002", "queue.depth", 12.0));
        commit.commit(write.prepareCommit());
      }
    }

    String bronze = query("SELECT count(*) AS n FROM iceberg.bronze.events");
    String silver = query("SELECT name, `value` FROM paimon.silver.metrics ORDER BY name");

    assertThat(bronze).containsPattern("\\|\\s+n \\|").containsPattern("\\|\\s+0 \\|").contains("1 row in set");
    assertThat(silver).containsPattern("\\|\\s+cpu.load \\|\\s+0.75 \\|").containsPattern("\\|\\s+queue.depth \\|\\s+12.0 \\|").contains("2 rows in set");
  }

  private String query(String sql) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int exit = Medallion.commandLine().execute("query", "--data-dir", dir.toString(), sql);
      assertThat(exit).isZero();
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static GenericRow metric(String id, String name, double value) {
    Object[] values = new Object[SilverTable.METRICS.rowType().getFieldCount()];
    values[SilverTable.EVENT_DATE] = (int) LocalDate.parse("2026-11-22").toEpochDay();
    values[SilverTable.EVENT_ID] = BinaryString.fromString(id);
    values[SilverTable.EVENT_TIME] = Timestamp.fromInstant(Instant.parse("2026-11-22T10:00:00Z"));
    values[SilverTable.SOURCE_SYSTEM] = BinaryString.fromString("agent");
    values[SilverTable.SCHEMA_VERSION] = 1;
    values[SilverTable.SOURCE_TOPIC] = BinaryString.fromString("raw.metrics");
    values[SilverTable.SOURCE_PARTITION] = 0;
    values[SilverTable.SOURCE_OFFSET] = 0L;
    values[SilverTable.METRICS.position("name")] = BinaryString.fromString(name);
    values[SilverTable.METRICS.position("value")] = value;
    return GenericRow.of(values);
  }
}
