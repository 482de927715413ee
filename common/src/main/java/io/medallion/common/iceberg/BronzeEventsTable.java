package io.medallion.common.iceberg;

import java.util.Map;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * Iceberg {@code bronze.events}, the append-only raw archive (shared/DESIGN.md §5): one row per
 * raw record whose envelope is valid, duplicates kept, with the Kafka coordinates it came from.
 * Writers and readers address columns through the position constants, defined once here.
 */
public final class BronzeEventsTable {
  public static final TableIdentifier IDENTIFIER = TableIdentifier.of("bronze", "events");

  public static final int EVENT_ID = 0;
  public static final int EVENT_TYPE = 1;
  public static final int SCHEMA_VERSION = 2;
  public static final int SOURCE_SYSTEM = 3;
  public static final int EVENT_TIME = 4;
  public static final int INGEST_TIME = 5;
  public static final int PAYLOAD = 6;
  public static final int METADATA = 7;
  public static final int KAFKA_TOPIC = 8;
  public static final int KAFKA_PARTITION = 9;
  public static final int KAFKA_OFFSET = 10;
  public static final int KAFKA_TIMESTAMP = 11;
  public static final int RECORD_KEY = 12;

  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "event_id", Types.StringType.get()),
          Types.NestedField.required(2, "event_type", Types.StringType.get()),
          Types.NestedField.required(3, "schema_version", Types.IntegerType.get()),
          Types.NestedField.required(4, "source_system", Types.StringType.get()),
          Types.NestedField.required(5, "event_time", Types.TimestampType.withZone()),
          Types.NestedField.required(6, "ingest_time", Types.TimestampType.withZone()),
          Types.NestedField.required(7, "payload", Types.StringType.get(), "the payload object as JSON text"),
          Types.NestedField.optional(
              8, "metadata", Types.MapType.ofRequired(14, 15, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.required(9, "kafka_topic", Types.StringType.get()),
          Types.NestedField.required(10, "kafka_partition", Types.IntegerType.get()),
          Types.NestedField.required(11, "kafka_offset", Types.LongType.get()),
          Types.NestedField.required(12, "kafka_timestamp", Types.TimestampType.withZone()),
          Types.NestedField.optional(13, "record_key", Types.StringType.get(), "the Kafka key as UTF-8 text"));

  public static final PartitionSpec PARTITION_SPEC =
      PartitionSpec.builderFor(SCHEMA).day("event_time").identity("event_type").build();

  public static final Map<String, String> PROPERTIES =
      Map.of(
          TableProperties.FORMAT_VERSION, "2",
          TableProperties.PARQUET_COMPRESSION, "zstd",
          TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(128L * 1024 * 1024),
          TableProperties.MAX_SNAPSHOT_AGE_MS, Long.toString(7L * 24 * 3600 * 1000),
          TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
          TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");

  /** The Flink row type of {@link #SCHEMA}, for {@code RowData} streams into the table. */
  public static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

  private BronzeEventsTable() {}

  public static IcebergTableDefinition definition() {
    return new IcebergTableDefinition(IDENTIFIER, SCHEMA, PARTITION_SPEC, PROPERTIES);
  }
}
