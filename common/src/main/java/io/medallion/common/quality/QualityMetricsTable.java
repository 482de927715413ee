package io.medallion.common.quality;

import io.medallion.common.iceberg.IcebergTableDefinition;
import java.util.Map;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * Iceberg {@code quality.metrics} (shared/DESIGN.md §5): one row per check per scope per window,
 * with the observed value, the range it was judged against (the threshold, or the expected range
 * of an anomaly method) and the status. Writers and readers address columns through the position
 * constants, defined once here.
 */
public final class QualityMetricsTable {
  public static final TableIdentifier IDENTIFIER = TableIdentifier.of("quality", "metrics");

  public static final int CHECK = 0;
  public static final int METRIC = 1;
  public static final int SCOPE = 2;
  public static final int WINDOW_START = 3;
  public static final int WINDOW_END = 4;
  public static final int OBSERVED = 5;
  public static final int EXPECTED_MIN = 6;
  public static final int EXPECTED_MAX = 7;
  public static final int STATUS = 8;
  public static final int SEVERITY = 9;

  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "check_name", Types.StringType.get()),
          Types.NestedField.required(2, "metric", Types.StringType.get()),
          Types.NestedField.required(3, "scope", Types.StringType.get(), "topic=<topic|*>,event_type=<type|*>"),
          Types.NestedField.required(4, "window_start", Types.TimestampType.withZone()),
          Types.NestedField.required(5, "window_end", Types.TimestampType.withZone()),
          Types.NestedField.optional(6, "observed", Types.DoubleType.get(), "null when the window held nothing to compute it from"),
          Types.NestedField.optional(7, "expected_min", Types.DoubleType.get(), "the threshold's or anomaly method's lower bound; null = unbounded or still warming up"),
          Types.NestedField.optional(8, "expected_max", Types.DoubleType.get(), "the threshold's or anomaly method's upper bound; null = unbounded or still warming up"),
          Types.NestedField.required(9, "status", Types.StringType.get(), "ok, warn or fail"),
          Types.NestedField.required(10, "severity", Types.StringType.get(), "the check's severity: warn or fail"));

  public static final PartitionSpec PARTITION_SPEC = PartitionSpec.builderFor(SCHEMA).day("window_start").build();

  public static final Map<String, String> PROPERTIES =
      Map.of(
          TableProperties.FORMAT_VERSION, "2",
          TableProperties.PARQUET_COMPRESSION, "zstd",
          TableProperties.MAX_SNAPSHOT_AGE_MS, Long.toString(7L * 24 * 3600 * 1000),
          TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
          TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");

  /** The Flink row type of {@link #SCHEMA}, for {@code RowData} streams into the table. */
  public static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

  private QualityMetricsTable() {}

  public static IcebergTableDefinition definition() {
    return new IcebergTableDefinition(IDENTIFIER, SCHEMA, PARTITION_SPEC, PROPERTIES);
  }
}
