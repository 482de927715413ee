package io.medallion.common.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real Hadoop catalog on a temp directory. */
class IcebergTableDefinitionTest {
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
  void addsAMissingOptionalColumnOnStart() {
    Catalog catalog = catalog();
    Schema old = bronzeWithout("record_key");
    catalog.createTable(BronzeEventsTable.IDENTIFIER, old, PartitionSpec.unpartitioned(), BronzeEventsTable.PROPERTIES);

    var table = BronzeEventsTable.definition().ensure(catalog);

    assertThat(table.schema().findField("record_key").type()).isEqualTo(Types.StringType.get());
    assertThat(table.schema().findField("record_key").isOptional()).isTrue();
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
