package io.medallion.common.iceberg;

import io.medallion.common.table.ColumnOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * An Iceberg table as the code expects it. {@link #ensure} creates it when missing; on an existing
 * table it adds the optional columns the code expects and the table lacks (each at the
 * definition's position, since rows are written by position), and stops the job at start with a
 * message naming what was found and what was expected when a required column is missing, a type
 * differs, a column the job may leave null is required, or the table has a column the definition
 * lacks or its columns in another order, instead of failing at its first commit.
 */
public record IcebergTableDefinition(
    org.apache.iceberg.catalog.TableIdentifier identifier,
    Schema schema,
    PartitionSpec spec,
    Map<String, String> properties) {

  /** Creates the table (and its namespace) when missing; returns the existing or new table. */
  public Table ensure(Catalog catalog) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
      try {
        namespaces.createNamespace(identifier.namespace());
      } catch (AlreadyExistsException raced) {
        // Another job created it between the check and the create.
      }
    }
    if (!catalog.tableExists(identifier)) {
      try {
        return catalog.createTable(identifier, schema, spec, properties);
      } catch (AlreadyExistsException raced) {
        // Another job created it between the check and the create; verify it below.
      }
    }
    Table table = catalog.loadTable(identifier);
    List<String> differences = differences(table.schema());
    if (!differences.isEmpty()) {
      throw new IllegalStateException(
          "Iceberg table " + identifier + " is incompatible with this version of the job: "
              + String.join("; ", differences));
    }
    List<Types.NestedField> additions = missingOptionalColumns(table.schema());
    if (!additions.isEmpty()) {
      UpdateSchema update = table.updateSchema();
      List<Types.NestedField> columns = schema.columns();
      for (Types.NestedField column : additions) {
        update.addColumn(column.name(), column.type(), column.doc());
        // Rows are written by position: the new column goes where the definition has it.
        int at = columns.indexOf(column);
        if (at == 0) {
          update.moveFirst(column.name());
        } else {
          update.moveAfter(column.name(), columns.get(at - 1).name());
        }
      }
      update.commit();
      table.refresh();
    }
    return table;
  }

  /** Optional columns the code expects and the table lacks: added on start (a compatible change). */
  private List<Types.NestedField> missingOptionalColumns(Schema actual) {
    List<Types.NestedField> missing = new ArrayList<>();
    for (Types.NestedField expected : schema.columns()) {
      if (expected.isOptional() && actual.findField(expected.name()) == null) {
        missing.add(expected);
      }
    }
    return missing;
  }

  /** How an existing table's schema differs from the expected one, in a person's words. */
  public List<String> differences(Schema actual) {
    List<String> differences = new ArrayList<>();
    for (Types.NestedField expected : schema.columns()) {
      Types.NestedField found = actual.findField(expected.name());
      if (found == null && expected.isRequired()) {
        differences.add("required column " + expected.name() + " is missing");
      } else if (found == null) {
        continue;
      } else if (!found.type().toString().equals(expected.type().toString())) {
        differences.add(
            "column " + expected.name() + " is " + found.type() + ", expected " + expected.type());
      } else if (found.isRequired() && expected.isOptional()) {
        differences.add("column " + expected.name() + " is required, expected optional");
      }
    }
    differences.addAll(
        ColumnOrder.differences(
            schema.columns().stream().map(Types.NestedField::name).toList(),
            actual.columns().stream().map(Types.NestedField::name).toList()));
    return differences;
  }
}
