package io.medallion.common.gold;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.paimon.CoreOptions;
import io.medallion.common.silver.SilverTable;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.flink.LogicalTypeConversion;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.RowType;

/**
 * The Paimon gold tables (shared/DESIGN.md §5): one row per dimensions and event-time window,
 * primary key = dimensions + {@code window_start}, so a late firing of a window replaces its row
 * (the default {@code deduplicate} merge engine keeps the last write). Paimon also writes Iceberg
 * metadata under {@code <warehouse>/iceberg/gold/<table>}, so Iceberg-only engines read the same
 * files through a Hadoop catalog on that directory.
 */
public enum GoldTable {
  TRANSACTION_SUMMARY(
      "transaction_summary",
      SilverTable.TRANSACTIONS,
      List.of("merchant_id", "currency"),
      List.of(
          column("merchant_id", DataTypes.STRING().notNull()),
          column("currency", DataTypes.STRING().notNull()),
          column("transaction_count", DataTypes.BIGINT().notNull()),
          column("amount_sum", DataTypes.DECIMAL(38, 4).notNull()),
          column("amount_min", DataTypes.DECIMAL(20, 4).notNull()),
          column("amount_max", DataTypes.DECIMAL(20, 4).notNull()),
          column("declined_count", DataTypes.BIGINT().notNull()))),
  USER_ACTIVITY(
      "user_activity",
      SilverTable.USER_ACTIONS,
      List.of("user_id"),
      List.of(
          column("user_id", DataTypes.STRING().notNull()),
          column("actions", DataTypes.MAP(DataTypes.STRING().notNull(), DataTypes.BIGINT().notNull()).notNull()),
          column("purchases", DataTypes.BIGINT().notNull()),
          column("distinct_resources", DataTypes.BIGINT().notNull()))),
  METRIC_ROLLUP(
      "metric_rollup",
      SilverTable.METRICS,
      List.of("name", "tags"),
      List.of(
          column("name", DataTypes.STRING().notNull()),
          // Tags as canonical text (sorted k=v pairs): a map cannot be part of a primary key.
          column("tags", DataTypes.STRING().notNull()),
          column("value_count", DataTypes.BIGINT().notNull()),
          column("value_min", DataTypes.DOUBLE().notNull()),
          column("value_max", DataTypes.DOUBLE().notNull()),
          column("value_sum", DataTypes.DOUBLE().notNull()),
          column("p50", DataTypes.DOUBLE().notNull()),
          column("p95", DataTypes.DOUBLE().notNull()),
          column("p99", DataTypes.DOUBLE().notNull()))),
  SYSTEM_HEALTH(
      "system_health",
      SilverTable.SYSTEM_EVENTS,
      List.of("service", "level"),
      List.of(
          column("service", DataTypes.STRING().notNull()),
          column("level", DataTypes.STRING().notNull()),
          column("event_count", DataTypes.BIGINT().notNull())));

  public static final String DATABASE = "gold";
  public static final String WINDOW_START = "window_start";
  public static final String WINDOW_END = "window_end";

  private final String tableName;
  private final SilverTable source;
  private final List<String> dimensions;
  private final List<Column> columns;

  /** A column before its position is known. */
  private record Column(String name, DataType type) {}

  GoldTable(String tableName, SilverTable source, List<String> dimensions, List<Column> columns) {
    this.tableName = tableName;
    this.source = source;
    this.dimensions = dimensions;
    this.columns = columns;
  }

  private static Column column(String name, DataType type) {
    return new Column(name, type);
  }

  public Identifier identifier() {
    return Identifier.create(DATABASE, tableName);
  }

  public String qualifiedName() {
    return DATABASE + "." + tableName;
  }

  /** The silver table this one aggregates. */
  public SilverTable source() {
    return source;
  }

  /** The gold table that aggregates a silver table. */
  public static GoldTable of(SilverTable source) {
    for (GoldTable table : values()) {
      if (table.source == source) {
        return table;
      }
    }
    throw new IllegalArgumentException("no gold table aggregates " + source);
  }

  /** The Flink row type of the table, for {@code RowData} streams into it. */
  public org.apache.flink.table.types.logical.RowType flinkRowType() {
    return LogicalTypeConversion.toLogicalType(new RowType(fields()));
  }

  /** The dimensions, then the window bounds, then the measures. */
  public List<DataField> fields() {
    List<Column> ordered = new ArrayList<>();
    columns.stream().filter(c -> dimensions.contains(c.name)).forEach(ordered::add);
    ordered.add(new Column(WINDOW_START, DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3).notNull()));
    ordered.add(new Column(WINDOW_END, DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3).notNull()));
    columns.stream().filter(c -> !dimensions.contains(c.name)).forEach(ordered::add);
    List<DataField> fields = new ArrayList<>();
    for (Column c : ordered) {
      fields.add(new DataField(fields.size(), c.name, c.type));
    }
    return fields;
  }

  /** Dimensions + {@code window_start}. */
  public List<String> primaryKey() {
    List<String> key = new ArrayList<>(dimensions);
    key.add(WINDOW_START);
    return key;
  }

  public Schema schema() {
    Schema.Builder builder = Schema.newBuilder();
    fields().forEach(field -> builder.column(field.name(), field.type()));
    return builder
        .primaryKey(primaryKey())
        .options(
            Map.of(
                CoreOptions.BUCKET.key(), "2",
                CoreOptions.FILE_COMPRESSION.key(), "zstd",
                CoreOptions.WRITE_BUFFER_SIZE.key(), "64 mb",
                // Iceberg readers see only fully compacted files of a primary-key table, so every
                // commit compacts fully: a late firing is visible to them as soon as to Paimon's.
                CoreOptions.FULL_COMPACTION_DELTA_COMMITS.key(), "1",
                "metadata.iceberg.storage", "hadoop-catalog"))
        .comment("Event-time windowed " + tableName + " (medallion gold); late firings replace a window's row")
        .build();
  }
}
