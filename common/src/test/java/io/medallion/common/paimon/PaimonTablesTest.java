package io.medallion.common.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.silver.SilverTable;
import java.nio.file.Path;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.Table;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real Paimon filesystem catalog on a temp directory. */
class PaimonTablesTest {
  @TempDir Path dir;

  /** silver.metrics as an older version of the job created it, optionally with one column changed. */
  private static Schema olderMetrics(String without, DataField replacement) {
    Schema expected = SilverTable.METRICS.schema();
    Schema.Builder builder = Schema.newBuilder();
    for (DataField field : expected.fields()) {
      if (field.name().equals(without)) {
        continue;
      }
      DataField column = replacement != null && replacement.name().equals(field.name()) ? replacement : field;
      builder.column(column.name(), column.type());
    }
    return builder.primaryKey(expected.primaryKeys()).partitionKeys(expected.partitionKeys()).options(expected.options()).build();
  }

  @Test
  void createsTheTableWithItsKeysAndOptions() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      Table table = PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());
      assertThat(table.rowType().getFieldNames()).isEqualTo(SilverTable.METRICS.rowType().getFieldNames());
      assertThat(table.primaryKeys()).containsExactly("event_date", "event_id");
      assertThat(table.partitionKeys()).containsExactly("event_date");
      assertThat(table.options()).containsEntry("merge-engine", "first-row").containsEntry("changelog-producer", "lookup");
      assertThat(PaimonTables.rowCount(table)).isZero();
    }
  }

  @Test
  void addsAMissingNullableColumnOnStart() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(SilverTable.METRICS.identifier(), olderMetrics("unit", null), false);

      Table table = PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());

      assertThat(table.rowType().getFieldNames()).contains("unit");
    }
  }

  @Test
  void stopsWithEveryIncompatibilityNamed() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(
          SilverTable.METRICS.identifier(), olderMetrics("name", new DataField(0, "value", DataTypes.STRING().notNull())), false);

      assertThatThrownBy(() -> PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Paimon table silver.metrics is incompatible with this version of the job: required column name is missing;"
                  + " column value is STRING NOT NULL, expected DOUBLE NOT NULL");
    }
  }
}
