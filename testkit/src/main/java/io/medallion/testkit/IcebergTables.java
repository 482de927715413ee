package io.medallion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Reads Iceberg tables with Iceberg's own generic reader, for assertions on exact contents. */
public final class IcebergTables {

  private IcebergTables() {}

  /** Every row of the table's current snapshot (none if the table has no snapshot yet). */
  public static List<Record> readAll(Catalog catalog, TableIdentifier identifier) {
    Table table = catalog.loadTable(identifier);
    List<Record> rows = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return rows;
    }
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> rows.add(record.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + identifier + " failed", e);
    }
    return rows;
  }

  /** The number of rows in the current snapshot, from its summary (no data files read). */
  public static long rowCount(Catalog catalog, TableIdentifier identifier) {
    Table table = catalog.loadTable(identifier);
    table.refresh();
    if (table.currentSnapshot() == null) {
      return 0;
    }
    String total = table.currentSnapshot().summary().get("total-records");
    return total == null ? 0 : Long.parseLong(total);
  }
}
