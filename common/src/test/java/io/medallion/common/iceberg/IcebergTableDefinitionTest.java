package io.medallion.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real Hadoop catalog on a temp directory. */
class IcebergTableDefinitionTest {
  private static final String EVENT_ID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

  @TempDir Path dir;

  private Catalog catalog() {
    return IcebergCatalogs.hadoop(dir.toUri().toString()).loadCatalog();
  }

  /** bronze.events as an older version of the job created it: without some columns. */
  private static Schema bronzeWithout(String... names) {
    List<Types.NestedField> columns = new ArrayList<>(BronzeEventsTable.SCHEMA.columns());
    columns.removeIf(c -> List.of(names).contains(c.name()));
    return new Schema(columns);
  }

  @Test
  void createsTheTableWithItsSchemaPartitioningAndProperties() {
    var table = BronzeEventsTable.definition().ensure(catalog());
    assertThat(table.schema().sameSchema(BronzeEventsTable.SCHEMA)).isTrue();
    assertThat(table.spec()).isEqualTo(BronzeEventsTable.PARTITION_SPEC);
    assertThat(((HasTableOperations) table).operations().current().formatVersion()).isEqualTo(2);
    Map<String, String> stored = new HashMap<>(BronzeEventsTable.PROPERTIES);
    stored.remove(TableProperties.FORMAT_VERSION); // a reserved property: kept as the table's format, not a property
    assertThat(table.properties()).containsAllEntriesOf(stored);
  }

  @Test
  void addsAMissingOptionalColumnOnStartAndReadsExistingRowsWithNullInIt() throws Exception {
    Catalog catalog = catalog();
    Schema old = bronzeWithout("metadata", "record_key");
    Table older = catalog.createTable(BronzeEventsTable.IDENTIFIER, old, PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);
    append(older, bronzeRow(old));

    Table table = BronzeEventsTable.definition().ensure(catalog);

    assertThat(table.schema().findField("record_key").type()).isEqualTo(Types.StringType.get());
    assertThat(table.schema().findField("record_key").isOptional()).isTrue();
    assertThat(table.schema().findField("metadata").type().isMapType()).isTrue();
    // The sink writes rows by position, so the middle column must land in the middle.
    assertThat(names(table.schema())).isEqualTo(names(BronzeEventsTable.SCHEMA));
    List<Record> rows = readAll(table);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getField("metadata")).isNull();
    assertThat(rows.get(0).getField("record_key")).isNull();
    assertThat(rows.get(0).getField("event_id")).isEqualTo(EVENT_ID);
    assertThat(rows.get(0).getField("kafka_offset")).isEqualTo(42L);
  }

  @Test
  void leavesATableThatAlreadyHasTheNewColumnAsItIs() {
    Catalog catalog = catalog();
    Table created = BronzeEventsTable.definition().ensure(catalog);
    int schemaId = created.schema().schemaId();

    Table again = BronzeEventsTable.definition().ensure(catalog);

    assertThat(again.schema().schemaId()).isEqualTo(schemaId);
    assertThat(again.schemas()).hasSize(1);
  }

  @Test
  void stopsWhenAColumnTypeChanged() {
    Catalog catalog = catalog();
    List<Types.NestedField> columns = new ArrayList<>(BronzeEventsTable.SCHEMA.columns());
    columns.replaceAll(c -> c.name().equals("schema_version") ? Types.NestedField.required(c.fieldId(), "schema_version", Types.LongType.get()) : c);
    catalog.createTable(BronzeEventsTable.IDENTIFIER, new Schema(columns), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Iceberg table bronze.events is incompatible with this version of the job: column schema_version is long, expected int");
  }

  @Test
  void stopsWhenAnOptionalColumnIsRequiredInTheTable() {
    Catalog catalog = catalog();
    List<Types.NestedField> columns = new ArrayList<>(BronzeEventsTable.SCHEMA.columns());
    columns.replaceAll(c -> c.name().equals("record_key") ? Types.NestedField.required(c.fieldId(), "record_key", Types.StringType.get()) : c);
    catalog.createTable(BronzeEventsTable.IDENTIFIER, new Schema(columns), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Iceberg table bronze.events is incompatible with this version of the job: column record_key is required, expected optional");
  }

  @Test
  void stopsWhenTheTableHasAColumnTheDefinitionLacks() {
    Catalog catalog = catalog();
    List<Types.NestedField> columns = new ArrayList<>(BronzeEventsTable.SCHEMA.columns());
    columns.add(Types.NestedField.optional(99, "trace_id", Types.StringType.get()));
    catalog.createTable(BronzeEventsTable.IDENTIFIER, new Schema(columns), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Iceberg table bronze.events is incompatible with this version of the job: column trace_id is not in this version's definition");
  }

  @Test
  void stopsWhenColumnsAreInAnotherOrder() {
    Catalog catalog = catalog();
    List<Types.NestedField> columns = new ArrayList<>(BronzeEventsTable.SCHEMA.columns());
    Collections.swap(columns, 0, 1);
    catalog.createTable(BronzeEventsTable.IDENTIFIER, new Schema(columns), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Iceberg table bronze.events is incompatible with this version of the job: columns are in the order"
                + " [event_type, event_id, schema_version, source_system, event_time, ingest_time, payload, metadata, kafka_topic,"
                + " kafka_partition, kafka_offset, kafka_timestamp, record_key], expected [event_id, event_type, schema_version,"
                + " source_system, event_time, ingest_time, payload, metadata, kafka_topic, kafka_partition, kafka_offset,"
                + " kafka_timestamp, record_key]");
  }

  @Test
  void stopsWhenARequiredColumnWasAddedToTheDefinition() {
    Catalog catalog = catalog();
    catalog.createTable(BronzeEventsTable.IDENTIFIER, bronzeWithout("kafka_timestamp"), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Iceberg table bronze.events is incompatible with this version of the job: required column kafka_timestamp is missing");
    assertThat(catalog.loadTable(BronzeEventsTable.IDENTIFIER).schemas()).hasSize(1); // nothing altered before stopping
  }

  private static List<String> names(Schema schema) {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }

  private static Record bronzeRow(Schema schema) {
    OffsetDateTime at = OffsetDateTime.parse("2026-11-22T10:15:30.123456Z");
    Record row = GenericRecord.create(schema);
    row.setField("event_id", EVENT_ID);
    row.setField("event_type", "metric");
    row.setField("schema_version", 1);
    row.setField("source_system", "sensors");
    row.setField("event_time", at);
    row.setField("ingest_time", at);
    row.setField("payload", "{}");
    row.setField("kafka_topic", "events.raw");
    row.setField("kafka_partition", 0);
    row.setField("kafka_offset", 42L);
    row.setField("kafka_timestamp", at);
    return row;
  }

  private static void append(Table table, Record row) throws Exception {
    OutputFile file = table.io().newOutputFile(table.locationProvider().newDataLocation("older.parquet"));
    DataWriter<Record> writer =
        new GenericAppenderFactory(table.schema(), table.spec())
            .newDataWriter(EncryptedFiles.plainAsEncryptedOutput(file), FileFormat.PARQUET, null);
    try (writer) {
      writer.write(row);
    }
    table.newAppend().appendFile(writer.toDataFile()).commit();
  }

  private static List<Record> readAll(Table table) throws Exception {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> rows.add(record.copy()));
    }
    return rows;
  }

  @Test
  void stopsWithEveryIncompatibilityNamed() {
    Catalog catalog = catalog();
    List<Types.NestedField> columns = new ArrayList<>(bronzeWithout("payload").columns());
    columns.replaceAll(c -> c.name().equals("kafka_offset") ? Types.NestedField.required(c.fieldId(), "kafka_offset", Types.StringType.get()) : c);
    catalog.createTable(BronzeEventsTable.IDENTIFIER, new Schema(columns), PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    assertThatThrownBy(() -> BronzeEventsTable.definition().ensure(catalog))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Iceberg table bronze.events is incompatible with this version of the job: required column payload is missing;"
                + " column kafka_offset is string, expected long");
  }
}
