package io.medallion.common.audit;

import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;
import org.apache.flink.table.types.logical.RowType;
import io.medallion.common.iceberg.IcebergTableDefinition;

/**
 * Iceberg {@code audit.ledger}: what every step of every job did with its input, one row per
 * checkpoint, step subtask and source partition, committed with the same checkpoint as the rows it
 * counts. {@code bin/medallion audit} reconciles it with the Kafka offsets and with itself.
 */
public final class LedgerTable {
  public static final TableIdentifier IDENTIFIER = TableIdentifier.of("audit", "ledger");

  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "job", Types.StringType.get()),
          Types.NestedField.required(2, "run_id", Types.StringType.get(), "the Flink job id: one run of the job"),
          Types.NestedField.optional(3, "checkpoint_id", Types.LongType.get(), "null: counted after the last checkpoint, at the end of bounded input"),
          Types.NestedField.required(4, "step", Types.StringType.get(), "the uid of the operator that counted"),
          Types.NestedField.optional(
              20, "upstream_step", Types.StringType.get(), "the step that forwarded the records to this one; null: read from the job's source"),
          Types.NestedField.required(5, "subtask", Types.IntegerType.get()),
          Types.NestedField.required(6, "recorded_at", Types.TimestampType.withZone()),
          Types.NestedField.required(7, "source", Types.StringType.get(), "the Kafka topic or the table the step read"),
          Types.NestedField.optional(8, "source_partition", Types.IntegerType.get(), "null when the source is not a Kafka topic"),
          Types.NestedField.optional(9, "first_offset", Types.LongType.get()),
          Types.NestedField.optional(10, "last_offset", Types.LongType.get()),
          Types.NestedField.required(11, "records_read", Types.LongType.get()),
          Types.NestedField.required(12, "rows_written", Types.LongType.get()),
          Types.NestedField.required(13, "dead_lettered", Types.LongType.get(), "late events not included"),
          Types.NestedField.required(
              14, "dead_letters_by_code", Types.MapType.ofRequired(15, 16, Types.StringType.get(), Types.LongType.get())),
          Types.NestedField.required(17, "duplicates_dropped", Types.LongType.get()),
          Types.NestedField.required(18, "late", Types.LongType.get(), "later than the allowed lateness (dead-lettered LATE_EVENT)"),
          Types.NestedField.required(19, "forwarded", Types.LongType.get(), "handed to the job's next step, which counts them again"));

  public static final PartitionSpec PARTITION_SPEC = PartitionSpec.builderFor(SCHEMA).identity("job").build();

  /**
   * Every job commits here at each checkpoint, so commits collide often (four jobs at a 2 s interval
   * in the demo collided within a minute and Iceberg's default of 4 retries let jobs fail over):
   * many quick retries instead, each a small append that cannot conflict with another's data.
   */
  public static final Map<String, String> PROPERTIES =
      Map.of(
          TableProperties.FORMAT_VERSION, "2",
          TableProperties.PARQUET_COMPRESSION, "zstd",
          TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
          TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100",
          TableProperties.COMMIT_NUM_RETRIES, "100",
          TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "10",
          TableProperties.COMMIT_MAX_RETRY_WAIT_MS, "1000",
          TableProperties.COMMIT_TOTAL_RETRY_TIME_MS, "600000");

  /** The Flink row type of {@link #SCHEMA}, for {@code RowData} streams into the table. */
  public static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

  private LedgerTable() {}

  public static IcebergTableDefinition definition() {
    return new IcebergTableDefinition(IDENTIFIER, SCHEMA, PARTITION_SPEC, PROPERTIES);
  }
}
