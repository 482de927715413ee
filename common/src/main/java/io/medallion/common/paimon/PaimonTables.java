package io.medallion.common.paimon;

import io.medallion.common.table.ColumnOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.table.Table;
import org.apache.paimon.types.DataField;

/**
 * Creates a Paimon table when it is missing; on an existing one, adds the nullable columns (each at
 * the definition's position, since rows are written by position) and the table options the code
 * expects and the table lacks (compatible changes; options the table already has are the
 * operator's to tune), and stops the job with a message naming what was found and what was
 * expected on anything else (a missing required column, a changed type or nullability, a column
 * the definition does not have, columns in another order, a changed primary key).
 */
public final class PaimonTables {

  private PaimonTables() {}

  public static Table ensure(Catalog catalog, Identifier identifier, Schema expected) {
    try {
      catalog.createDatabase(identifier.getDatabaseName(), true);
      catalog.createTable(identifier, expected, true);
      Table table = catalog.getTable(identifier);
      List<String> problems = new ArrayList<>();
      List<SchemaChange> additions = new ArrayList<>();
      List<String> names = expected.fields().stream().map(DataField::name).toList();
      List<String> tableNames = table.rowType().getFieldNames();
      for (int i = 0; i < names.size(); i++) {
        DataField field = expected.fields().get(i);
        DataField found = table.rowType().getFields().stream().filter(f -> f.name().equals(field.name())).findFirst().orElse(null);
        if (found == null && field.type().isNullable()) {
          // Rows are written by position: the new column goes where the definition has it.
          SchemaChange.Move move = i == 0 ? SchemaChange.Move.first(field.name()) : SchemaChange.Move.after(field.name(), names.get(i - 1));
          additions.add(SchemaChange.addColumn(field.name(), field.type(), field.description(), move));
        } else if (found == null) {
          problems.add("required column " + field.name() + " is missing");
        } else if (!found.type().equalsIgnoreFieldId(field.type())) {
          problems.add("column " + field.name() + " is " + found.type() + ", expected " + field.type());
        }
      }
      for (Map.Entry<String, String> option : expected.options().entrySet()) {
        if (!table.options().containsKey(option.getKey())) {
          additions.add(SchemaChange.setOption(option.getKey(), option.getValue()));
        }
      }
      problems.addAll(ColumnOrder.differences(names, tableNames));
      if (!table.primaryKeys().equals(expected.primaryKeys())) {
        problems.add("primary key is " + table.primaryKeys() + ", expected " + expected.primaryKeys());
      }
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            "Paimon table " + identifier.getFullName() + " is incompatible with this version of the job: " + String.join("; ", problems));
      }
      if (!additions.isEmpty()) {
        catalog.alterTable(identifier, additions, false);
        table = catalog.getTable(identifier);
      }
      return table;
    } catch (Catalog.DatabaseNotExistException
        | Catalog.TableNotExistException
        | Catalog.ColumnAlreadyExistException
        | Catalog.ColumnNotExistException e) {
      throw new IllegalStateException("creating or checking Paimon table " + identifier.getFullName() + " failed", e);
    } catch (Catalog.TableAlreadyExistException | Catalog.DatabaseAlreadyExistException e) {
      throw new IllegalStateException("unreachable: creation ignores existing tables", e);
    }
  }

  /**
   * The number of rows in the data files of the latest snapshot, from its metadata (no data read),
   * before rows of the same key are merged: exact for tables whose writers never repeat a key.
   */
  public static long rowCount(Table table) {
    return ((FileStoreTable) table).snapshotManager().latestSnapshot() == null
        ? 0
        : ((FileStoreTable) table).newSnapshotReader().read().splits().stream().mapToLong(split -> split.rowCount()).sum();
  }
}
