package io.medallion.common.table;

import java.util.ArrayList;
import java.util.List;

/**
 * The top-level column check shared by the Iceberg and Paimon table definitions. Both lake sinks
 * write rows by position, so an existing table must have no column its definition lacks and must
 * hold the columns it shares with the definition in the definition's order.
 */
public final class ColumnOrder {

  private ColumnOrder() {}

  /** Differences in a person's words; empty when the table's columns can take the definition's rows. */
  public static List<String> differences(List<String> expected, List<String> found) {
    List<String> differences = new ArrayList<>();
    for (String name : found) {
      if (!expected.contains(name)) {
        differences.add("column " + name + " is not in this version's definition");
      }
    }
    List<String> shared = expected.stream().filter(found::contains).toList();
    List<String> foundShared = found.stream().filter(expected::contains).toList();
    if (differences.isEmpty() && !shared.equals(foundShared)) {
      differences.add("columns are in the order " + foundShared + ", expected " + shared);
    }
    return differences;
  }
}
