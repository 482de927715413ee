package io.medallion.common.silver;

import static io.medallion.common.silver.FieldKind.AMOUNT;
import static io.medallion.common.silver.FieldKind.CARD_NUMBER;
import static io.medallion.common.silver.FieldKind.CURRENCY;
import static io.medallion.common.silver.FieldKind.EMAIL;
import static io.medallion.common.silver.FieldKind.FINITE_DOUBLE;
import static io.medallion.common.silver.FieldKind.IP_ADDRESS;
import static io.medallion.common.silver.FieldKind.LOWER_ENUM;
import static io.medallion.common.silver.FieldKind.MESSAGE;
import static io.medallion.common.silver.FieldKind.METRIC_NAME;
import static io.medallion.common.silver.FieldKind.STRING_MAP;
import static io.medallion.common.silver.FieldKind.TEXT;
import static io.medallion.common.silver.FieldKind.UPPER_ENUM;
import static io.medallion.common.silver.PayloadField.optional;
import static io.medallion.common.silver.PayloadField.optionalAs;
import static io.medallion.common.silver.PayloadField.required;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.paimon.CoreOptions;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.flink.LogicalTypeConversion;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.RowType;

/**
 * The Paimon silver tables (shared/DESIGN.md §5), one per event type: the envelope columns, then
 * the typed payload columns. Primary key {@code (event_date, event_id)}, partitioned by {@code
 * event_date}, {@code merge-engine=first-row} and {@code changelog-producer=lookup}, so the table
 * keeps the first row of an event and streams an insert-only changelog to gold.
 */
public enum SilverTable {
  USER_ACTIONS(
      "user_action",
      "user_actions",
      required("user_action", "user_id", TEXT),
      optional("user_action", "session_id", TEXT),
      required("user_action", "action", LOWER_ENUM, "view", "click", "search", "add_to_cart", "purchase", "login", "logout"),
      required("user_action", "resource", TEXT),
      optional("user_action", "email", EMAIL),
      optional("user_action", "ip_address", IP_ADDRESS),
      optional("user_action", "properties", STRING_MAP)),
  TRANSACTIONS(
      "transaction",
      "transactions",
      required("transaction", "transaction_id", TEXT),
      required("transaction", "account_id", TEXT),
      required("transaction", "currency", CURRENCY),
      required("transaction", "amount", AMOUNT),
      required("transaction", "merchant_id", TEXT),
      required("transaction", "status", LOWER_ENUM, "authorized", "captured", "refunded", "declined"),
      optional("transaction", "payment_method", LOWER_ENUM, "card", "bank_transfer", "wallet"),
      optionalAs("transaction", "card_number", "card_last4", CARD_NUMBER)),
  SYSTEM_EVENTS(
      "system",
      "system_events",
      required("system", "service", TEXT),
      optional("system", "host", TEXT),
      required("system", "level", UPPER_ENUM, "DEBUG", "INFO", "WARN", "ERROR", "FATAL"),
      optional("system", "code", TEXT),
      required("system", "message", MESSAGE)),
  METRICS(
      "metric",
      "metrics",
      required("metric", "name", METRIC_NAME),
      required("metric", "value", FINITE_DOUBLE),
      optional("metric", "unit", TEXT),
      optional("metric", "tags", STRING_MAP));

  public static final String DATABASE = "silver";
  public static final int AMOUNT_PRECISION = 20;
  public static final int AMOUNT_SCALE = 4;
  public static final int MAX_MESSAGE_CODE_POINTS = 4096;
  public static final String BUCKETS = "2";

  /** The envelope columns every silver table starts with, in this order. */
  public static final List<DataField> ENVELOPE_COLUMNS = EnvelopeColumns.LIST;

  public static final int EVENT_DATE = 0;
  public static final int EVENT_ID = 1;
  public static final int EVENT_TIME = 2;
  public static final int SOURCE_SYSTEM = 3;
  public static final int SCHEMA_VERSION = 4;
  public static final int METADATA = 5;
  public static final int SOURCE_TOPIC = 6;
  public static final int SOURCE_PARTITION = 7;
  public static final int SOURCE_OFFSET = 8;
  /** The position of the first payload column. */
  public static final int FIRST_PAYLOAD_COLUMN = ENVELOPE_COLUMNS.size();

  private final String eventType;
  private final String tableName;
  private final List<PayloadField> payload;
  private final RowType rowType;

  SilverTable(String eventType, String tableName, PayloadField... payload) {
    this.eventType = eventType;
    this.tableName = tableName;
    this.payload = List.of(payload);
    List<DataField> fields = new ArrayList<>(EnvelopeColumns.LIST);
    for (PayloadField field : payload) {
      org.apache.paimon.types.DataType type = field.kind().columnType();
      fields.add(new DataField(fields.size(), field.column(), field.isRequired() ? type.notNull() : type.nullable()));
    }
    this.rowType = new RowType(fields);
  }

  /** The table of an {@code event_type}, if it has one. */
  public static Optional<SilverTable> forEventType(String eventType) {
    for (SilverTable table : values()) {
      if (table.eventType.equals(eventType)) {
        return Optional.of(table);
      }
    }
    return Optional.empty();
  }

  public String eventType() {
    return eventType;
  }

  public Identifier identifier() {
    return Identifier.create(DATABASE, tableName);
  }

  /** {@code silver.<table>}, as SQL and dashboards name it. */
  public String qualifiedName() {
    return DATABASE + "." + tableName;
  }

  public List<PayloadField> payload() {
    return payload;
  }

  public RowType rowType() {
    return rowType;
  }

  /** The Flink row type of the table, for {@code RowData} streams into it. */
  public org.apache.flink.table.types.logical.RowType flinkRowType() {
    return LogicalTypeConversion.toLogicalType(rowType);
  }

  /** The position of a column by name. */
  public int position(String column) {
    int at = rowType.getFieldNames().indexOf(column);
    if (at < 0) {
      throw new IllegalArgumentException(qualifiedName() + " has no column " + column);
    }
    return at;
  }

  public Schema schema() {
    Schema.Builder builder = Schema.newBuilder();
    for (DataField field : rowType.getFields()) {
      builder.column(field.name(), field.type());
    }
    return builder
        .primaryKey("event_date", "event_id")
        .partitionKeys("event_date")
        .options(
            Map.ofEntries(
                Map.entry(CoreOptions.BUCKET.key(), BUCKETS),
                Map.entry(CoreOptions.MERGE_ENGINE.key(), CoreOptions.MergeEngine.FIRST_ROW.toString()),
                Map.entry(CoreOptions.CHANGELOG_PRODUCER.key(), CoreOptions.ChangelogProducer.LOOKUP.toString()),
                Map.entry(CoreOptions.FILE_COMPRESSION.key(), "zstd"),
                // Every row is written three times (level 0, its changelog, the compacted run). Parquet's
                // dictionary attempt on columns that are nearly unique (ids, times, offsets, hashes) was
                // a tenth of silver's CPU, for files 10 % smaller; zstd still packs the repeating ones.
                Map.entry("parquet.enable.dictionary", "false"),
                // The changelog is read back only as whole rows, by gold's streaming source: row-wise
                // Avro is cheaper to write than Parquet and loses nothing to that reader.
                Map.entry(CoreOptions.CHANGELOG_FILE_FORMAT.key(), "avro"),
                Map.entry(CoreOptions.TARGET_FILE_SIZE.key(), "128 mb"),
                // Retention is not stored here: the writing job sets it from paimon.maintenance.*
                // (PaimonMaintenance), so the configuration is the one place it comes from.
                Map.entry(CoreOptions.WRITE_BUFFER_SIZE.key(), "64 mb")))
        .comment("Validated, cleansed, deduplicated " + eventType + " events (medallion silver)")
        .build();
  }

  /** A holder, so the enum constants' constructors can read the list. */
  private static final class EnvelopeColumns {
    static final List<DataField> LIST =
        List.of(
            new DataField(0, "event_date", DataTypes.DATE().notNull()),
            new DataField(1, "event_id", DataTypes.STRING().notNull()),
            new DataField(2, "event_time", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6).notNull()),
            new DataField(3, "source_system", DataTypes.STRING().notNull()),
            new DataField(4, "schema_version", DataTypes.INT().notNull()),
            new DataField(5, "metadata", DataTypes.MAP(DataTypes.STRING().notNull(), DataTypes.STRING())),
            new DataField(6, "source_topic", DataTypes.STRING().notNull()),
            new DataField(7, "source_partition", DataTypes.INT().notNull()),
            new DataField(8, "source_offset", DataTypes.BIGINT().notNull()));
  }

  @Override
  public String toString() {
    return qualifiedName().toLowerCase(Locale.ROOT);
  }
}
