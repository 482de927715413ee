package io.medallion.common.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.silver.SilverTable;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.data.serializer.InternalRowSerializer;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableCommit;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real Paimon filesystem catalog on a temp directory. */
class PaimonTablesTest {
  private static final String EVENT_ID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

  @TempDir Path dir;
  @TempDir Path spill;

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
  void addsAMissingNullableColumnOnStartAndReadsExistingRowsWithNullInIt() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(SilverTable.METRICS.identifier(), olderMetrics("unit", null), false);
      // The sink writes rows by position: unit must land before tags, where the definition has it.
      write(catalog.getTable(SilverTable.METRICS.identifier()), spill);

      Table table = PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema());

      assertThat(table.rowType().getFieldNames()).isEqualTo(SilverTable.METRICS.rowType().getFieldNames());
      assertThat(table.rowType().getField("unit").type()).isEqualTo(DataTypes.STRING());
      List<InternalRow> rows = readAll(table);
      assertThat(rows).hasSize(1);
      InternalRow row = rows.get(0);
      assertThat(row.isNullAt(SilverTable.METRICS.position("unit"))).isTrue();
      assertThat(row.getString(SilverTable.EVENT_ID).toString()).isEqualTo(EVENT_ID);
      assertThat(row.getDouble(SilverTable.METRICS.position("value"))).isEqualTo(0.75);
    }
  }

  @Test
  void stopsWhenTheTableHasAColumnTheDefinitionLacks() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(SilverTable.METRICS.identifier(), olderMetrics("tags", new DataField(0, "unit", DataTypes.STRING())), false);
      catalog.alterTable(
          SilverTable.METRICS.identifier(),
          List.of(SchemaChange.addColumn("trace_id", DataTypes.STRING()), SchemaChange.addColumn("tags", SilverTable.METRICS.rowType().getField("tags").type())),
          false);

      assertThatThrownBy(() -> PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Paimon table silver.metrics is incompatible with this version of the job: column trace_id is not in this version's definition");
    }
  }

  @Test
  void stopsWhenColumnsAreInAnotherOrder() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(SilverTable.METRICS.identifier(), olderMetrics("unit", null), false);
      catalog.alterTable(SilverTable.METRICS.identifier(), List.of(SchemaChange.addColumn("unit", DataTypes.STRING())), false);

      assertThatThrownBy(() -> PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Paimon table silver.metrics is incompatible with this version of the job: columns are in the order"
                  + " [event_date, event_id, event_time, source_system, schema_version, metadata, source_topic, source_partition,"
                  + " source_offset, name, value, tags, unit], expected [event_date, event_id, event_time, source_system,"
                  + " schema_version, metadata, source_topic, source_partition, source_offset, name, value, unit, tags]");
    }
  }

  @Test
  void stopsWhenThePrimaryKeyChanged() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      Schema expected = SilverTable.METRICS.schema();
      Schema.Builder byIdOnly = Schema.newBuilder();
      expected.fields().forEach(field -> byIdOnly.column(field.name(), field.type()));
      byIdOnly.primaryKey("event_id").options(expected.options());
      catalog.createTable(SilverTable.METRICS.identifier(), byIdOnly.build(), false);

      assertThatThrownBy(() -> PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), expected))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Paimon table silver.metrics is incompatible with this version of the job:"
                  + " primary key is [event_id], expected [event_date, event_id]");
    }
  }

  @Test
  void stopsWhenANullableColumnBecameRequiredWithoutAlteringTheTable() throws Exception {
    try (Catalog catalog = PaimonCatalogs.filesystem(dir.toUri().toString())) {
      catalog.createDatabase("silver", true);
      catalog.createTable(
          SilverTable.METRICS.identifier(), olderMetrics("tags", new DataField(0, "unit", DataTypes.STRING().notNull())), false);

      assertThatThrownBy(() -> PaimonTables.ensure(catalog, SilverTable.METRICS.identifier(), SilverTable.METRICS.schema()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Paimon table silver.metrics is incompatible with this version of the job:"
                  + " column unit is STRING NOT NULL, expected STRING");
      assertThat(catalog.getTable(SilverTable.METRICS.identifier()).rowType().getFieldNames()).doesNotContain("tags");
    }
  }

  /** One metric row, by column name, in whatever columns the (older) table has. */
  private static void write(Table table, Path spill) throws Exception {
    Map<String, Object> values =
        Map.of(
            "event_date", (int) LocalDate.parse("2026-11-22").toEpochDay(),
            "event_id", BinaryString.fromString(EVENT_ID),
            "event_time", Timestamp.fromInstant(Instant.parse("2026-11-22T10:15:30.123456Z")),
            "source_system", BinaryString.fromString("sensors"),
            "schema_version", 1,
            "source_topic", BinaryString.fromString("events.raw"),
            "source_partition", 0,
            "source_offset", 42L,
            "name", BinaryString.fromString("cpu.load"),
            "value", 0.75);
    List<String> columns = table.rowType().getFieldNames();
    GenericRow row = new GenericRow(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      row.setField(i, values.get(columns.get(i)));
    }
    BatchWriteBuilder builder = table.newBatchWriteBuilder();
    // Lookup changelogs look rows up through local files, even in a batch write.
    try (IOManager io = IOManager.create(spill.toString());
        BatchTableWrite write = builder.newWrite();
        BatchTableCommit commit = builder.newCommit()) {
      write.withIOManager(io);
      write.write(row);
      commit.commit(write.prepareCommit());
    }
  }

  private static List<InternalRow> readAll(Table table) throws Exception {
    ReadBuilder read = table.newReadBuilder();
    InternalRowSerializer copier = new InternalRowSerializer(table.rowType());
    List<InternalRow> rows = new ArrayList<>();
    try (RecordReader<InternalRow> reader = read.newRead().createReader(read.newScan().plan())) {
      reader.forEachRemaining(row -> rows.add(copier.copy(row)));
    }
    return rows;
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
