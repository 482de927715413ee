package io.medallion.local;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.gold.GoldTable;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.iceberg.IcebergTableDefinition;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.PayloadField;
import io.medallion.common.silver.SilverTable;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.FileStoreTable;
import org.apache.paimon.types.DataField;

/**
 * What a Flink SQL user would write for bronze-ingest, silver-transform and gold-aggregate, so
 * that bench can put our jobs' rates beside theirs on the same topic and cluster (issue #7). Each
 * pipeline writes sibling tables ({@code bronze_sql.events}, {@code silver_sql.<table>}, {@code
 * gold_sql.<table>}) created from the same definitions in common as ours.
 *
 * <p>Where it does less than ours, as a SQL user would: no dead letters (the JSON format with
 * {@code ignore-parse-errors} skips what it cannot parse, and a filter drops envelopes missing a
 * required field); JSON values only, no Avro; an {@code event_timestamp} must be ISO-8601 in UTC
 * with {@code Z} (the JSON format's rule; ours takes any offset); silver checks only that required
 * fields are present and normalizes case and blanks, without our value rules (allowed values,
 * ISO-4217, minor digits, metric name pattern, finite values, message length, time range);
 * e-mail and IP addresses are SHA-256 of key and value rather than an HMAC; dedup is Flink's
 * {@code ROW_NUMBER()} on processing time with unbounded state, per event type. Gold fires each
 * window once when the watermark passes it, held back by silver's maximum event age (so in a
 * bounded read every window fires at the end), without late firings or late dead letters; {@code gold_sql.metric_rollup} has no percentiles
 * (Flink SQL has no percentile aggregate), its {@code tags} are the map's text as Flink casts it,
 * and {@code user_activity.actions} counts every allowed action, zero or not. The generated
 * operator uids of Flink SQL are allowed, and the Kafka source is read up to its latest offsets
 * at start (bounded), so the job ends with a final checkpoint that commits every row.
 */
final class SqlEquivalents {
  static final String BRONZE_DATABASE = "bronze_sql";
  static final String SILVER_DATABASE = "silver_sql";
  static final String GOLD_DATABASE = "gold_sql";
  /** Flink SQL has no percentile aggregate; {@code gold_sql.metric_rollup} is created without these. */
  static final Set<String> PERCENTILE_COLUMNS = Set.of("p50", "p95", "p99");

  private static final String ICEBERG = "iceberg";
  private static final String PAIMON = "paimon";
  private static final String RAW = "raw_events";

  private SqlEquivalents() {}

  /** The SQL equivalent of a job, where bench measures one. */
  static Optional<JobCatalog.Definition> of(JobCatalog job) {
    return switch (job) {
      case BRONZE_INGEST -> Optional.of(SqlEquivalents::bronze);
      case SILVER_TRANSFORM -> Optional.of(SqlEquivalents::silver);
      case GOLD_AGGREGATE -> Optional.of((env, config) -> gold(env, config, SilverTable.DATABASE));
      case QUALITY_MONITOR -> Optional.empty();
    };
  }

  static TableIdentifier bronzeIdentifier() {
    return TableIdentifier.of(BRONZE_DATABASE, BronzeEventsTable.IDENTIFIER.name());
  }

  static Identifier silverIdentifier(SilverTable table) {
    return Identifier.create(SILVER_DATABASE, table.identifier().getObjectName());
  }

  static Identifier goldIdentifier(GoldTable table) {
    return Identifier.create(GOLD_DATABASE, table.identifier().getObjectName());
  }

  /** Kafka JSON → {@code INSERT INTO iceberg.bronze_sql.events}, the valid envelopes with their Kafka coordinates. */
  static void bronze(StreamExecutionEnvironment env, JobConfig config) throws Exception {
    new IcebergTableDefinition(bronzeIdentifier(), BronzeEventsTable.SCHEMA, BronzeEventsTable.PARTITION_SPEC, BronzeEventsTable.PROPERTIES)
        .ensure(IcebergCatalogs.loader(config).loadCatalog());
    StreamTableEnvironment sql = tableEnvironment(env, config);
    sql.executeSql(kafkaSource(config, "`payload` STRING"));
    Map<String, String> expressions = new LinkedHashMap<>();
    expressions.put("schema_version", "COALESCE(`schema_version`, 1)");
    expressions.put("event_time", "`event_timestamp`");
    expressions.put("ingest_time", "CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(6))");
    expressions.put("kafka_timestamp", "CAST(`kafka_timestamp` AS TIMESTAMP_LTZ(6))");
    List<String> columns = BronzeEventsTable.SCHEMA.columns().stream().map(c -> c.name()).toList();
    StreamStatementSet inserts = sql.createStatementSet();
    inserts.addInsertSql(
        "INSERT INTO " + ICEBERG + "." + BRONZE_DATABASE + "." + BronzeEventsTable.IDENTIFIER.name()
            + " SELECT " + select(columns, expressions) + " FROM " + RAW + " WHERE " + envelopePresent() + " AND `payload` IS NOT NULL");
    inserts.attachAsDataStream();
  }

  /** Kafka JSON → per event type, typed columns → {@code ROW_NUMBER()} first-seen dedup → Paimon {@code silver_sql.<table>}. */
  static void silver(StreamExecutionEnvironment env, JobConfig config) throws Exception {
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      for (SilverTable table : SilverTable.values()) {
        PaimonTables.ensure(catalog, silverIdentifier(table), table.schema());
      }
    }
    StreamTableEnvironment sql = tableEnvironment(env, config);
    sql.executeSql(kafkaSource(config, "`payload` " + payloadRowType()));
    StreamStatementSet inserts = sql.createStatementSet();
    String key = config.get(ConfigOptions.PII_HMAC_KEY).replace("'", "''");
    for (SilverTable table : SilverTable.values()) {
      Map<String, String> expressions = new LinkedHashMap<>();
      expressions.put("event_date", "CAST(`event_timestamp` AS DATE)");
      expressions.put("event_time", "`event_timestamp`");
      expressions.put("schema_version", "COALESCE(`schema_version`, 1)");
      expressions.put("source_topic", "`kafka_topic`");
      expressions.put("source_partition", "`kafka_partition`");
      expressions.put("source_offset", "`kafka_offset`");
      List<String> required = new ArrayList<>();
      for (PayloadField field : table.payload()) {
        String value = payloadExpression(field, key);
        expressions.put(field.column(), value);
        if (field.isRequired()) {
          required.add(value + " IS NOT NULL");
        }
      }
      inserts.addInsertSql(
          "INSERT INTO " + PAIMON + "." + SILVER_DATABASE + "." + table.identifier().getObjectName()
              + " SELECT " + select(table.rowType().getFieldNames(), expressions)
              + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY `event_id` ORDER BY `proctime`) AS `row_num` FROM " + RAW
              + " WHERE `event_type` = '" + table.eventType() + "' AND " + envelopePresent()
              + (required.isEmpty() ? "" : " AND " + String.join(" AND ", required))
              + ") WHERE `row_num` = 1");
    }
    inserts.attachAsDataStream();
  }

  /**
   * The silver tables of {@code silverDatabase}, read bounded → {@code TUMBLE} windows on event
   * time → Paimon {@code gold_sql.<table>}.
   */
  static void gold(StreamExecutionEnvironment env, JobConfig config, String silverDatabase) throws Exception {
    Map<SilverTable, String> silverPaths = new LinkedHashMap<>();
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      for (GoldTable table : GoldTable.values()) {
        PaimonTables.ensure(catalog, goldIdentifier(table), goldSchema(table));
        Identifier silver = Identifier.create(silverDatabase, table.source().identifier().getObjectName());
        silverPaths.put(table.source(), ((FileStoreTable) catalog.getTable(silver)).location().toString());
      }
    }
    StreamTableEnvironment sql = tableEnvironment(env, config);
    Duration window = config.get(ConfigOptions.GOLD_WINDOW_SIZE);
    // A Paimon scan returns a snapshot's rows in key order, not event time: a watermark the allowed
    // lateness behind the largest event time read would drop most of a catch-up as late. Held back
    // by the oldest event time silver keeps, no row is late and every window fires at the end of a
    // bounded read, as ours do in bench.
    Duration watermarkDelay = config.get(ConfigOptions.VALIDATION_MAX_AGE);
    StreamStatementSet inserts = sql.createStatementSet();
    for (GoldTable table : GoldTable.values()) {
      SilverTable source = table.source();
      String input = "silver_" + source.identifier().getObjectName();
      // A catalog table has no watermark: a temporary table on the same files adds one, as Paimon's docs do it.
      sql.executeSql(
          "CREATE TEMPORARY TABLE " + input + " ("
              + " `rowtime` AS CAST(`event_time` AS TIMESTAMP_LTZ(3)),"
              + (source == SilverTable.METRICS ? " `tags_text` AS COALESCE(CAST(`tags` AS STRING), ''), " : "")
              + " WATERMARK FOR `rowtime` AS `rowtime` - " + interval(watermarkDelay)
              + ") WITH ('connector' = 'paimon', 'path' = '" + silverPaths.get(source) + "', 'scan.bounded' = '" + config.get(ConfigOptions.BOUNDED) + "')"
              + " LIKE " + PAIMON + ".`" + silverDatabase + "`." + source.identifier().getObjectName() + " (EXCLUDING OPTIONS)");
      Map<String, String> expressions = goldMeasures(table);
      expressions.put(GoldTable.WINDOW_START, "CAST(`window_start` AS TIMESTAMP_LTZ(3))");
      expressions.put(GoldTable.WINDOW_END, "CAST(`window_end` AS TIMESTAMP_LTZ(3))");
      List<String> dimensions = new ArrayList<>(table.primaryKey());
      dimensions.remove(GoldTable.WINDOW_START);
      if (table == GoldTable.METRIC_ROLLUP) {
        expressions.put("tags", "`tags_text`");
      }
      String groupBy = dimensions.stream().map(d -> expressions.getOrDefault(d, quote(d))).collect(Collectors.joining(", "));
      inserts.addInsertSql(
          "INSERT INTO " + PAIMON + "." + GOLD_DATABASE + "." + table.identifier().getObjectName()
              + " SELECT " + select(goldSchema(table).fields().stream().map(DataField::name).toList(), expressions)
              + " FROM TABLE(TUMBLE(TABLE " + input + ", DESCRIPTOR(`rowtime`), " + interval(window) + "))"
              + " GROUP BY " + groupBy + ", `window_start`, `window_end`");
    }
    inserts.attachAsDataStream();
  }

  /** A gold table's schema, less what Flink SQL cannot compute. */
  static Schema goldSchema(GoldTable table) {
    Schema schema = table.schema();
    List<DataField> fields = schema.fields().stream().filter(f -> !PERCENTILE_COLUMNS.contains(f.name())).toList();
    return new Schema(fields, schema.partitionKeys(), schema.primaryKeys(), schema.options(), schema.comment());
  }

  private static Map<String, String> goldMeasures(GoldTable table) {
    Map<String, String> measures = new LinkedHashMap<>();
    switch (table) {
      case TRANSACTION_SUMMARY -> {
        measures.put("transaction_count", "COUNT(*)");
        measures.put("amount_sum", "SUM(`amount`)");
        measures.put("amount_min", "MIN(`amount`)");
        measures.put("amount_max", "MAX(`amount`)");
        measures.put("declined_count", "COUNT(*) FILTER (WHERE `status` = 'declined')");
      }
      case USER_ACTIVITY -> {
        PayloadField action = table.source().payload().stream().filter(f -> f.name().equals("action")).findFirst().orElseThrow();
        measures.put(
            "actions",
            "MAP[" + action.allowed().stream().sorted().map(a -> "'" + a + "', COUNT(*) FILTER (WHERE `action` = '" + a + "')").collect(Collectors.joining(", ")) + "]");
        measures.put("purchases", "COUNT(*) FILTER (WHERE `action` = 'purchase')");
        measures.put("distinct_resources", "COUNT(DISTINCT `resource`)");
      }
      case METRIC_ROLLUP -> {
        measures.put("value_count", "COUNT(*)");
        measures.put("value_min", "MIN(`value`)");
        measures.put("value_max", "MAX(`value`)");
        measures.put("value_sum", "SUM(`value`)");
      }
      case SYSTEM_HEALTH -> measures.put("event_count", "COUNT(*)");
    }
    return measures;
  }

  private static StreamTableEnvironment tableEnvironment(StreamExecutionEnvironment env, JobConfig config) {
    StreamTableEnvironment sql = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
    // Dates and window bounds of TIMESTAMP_LTZ columns follow the session's zone; ours are UTC.
    sql.getConfig().setLocalTimeZone(ZoneOffset.UTC);
    // The planner's operators carry no uids unless a compiled plan gives them: let Flink generate them.
    sql.getConfig().set(PipelineOptions.AUTO_GENERATE_UIDS, true);
    Map<String, String> iceberg = new LinkedHashMap<>(config.withPrefix(ConfigOptions.ICEBERG_CATALOG_PREFIX));
    iceberg.put("catalog-type", iceberg.getOrDefault("type", "hadoop"));
    iceberg.put("type", "iceberg");
    Map<String, String> paimon = new LinkedHashMap<>(config.withPrefix(ConfigOptions.PAIMON_CATALOG_PREFIX));
    paimon.put("type", "paimon");
    sql.executeSql("CREATE CATALOG " + ICEBERG + " WITH (" + QueryCommand.options(iceberg) + ")");
    sql.executeSql("CREATE CATALOG " + PAIMON + " WITH (" + QueryCommand.options(paimon) + ")");
    return sql;
  }

  /** The raw topic as a SQL table: the envelope, the payload as {@code payloadColumn}, the key and the Kafka coordinates. */
  private static String kafkaSource(JobConfig config, String payloadColumn) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("connector", "kafka");
    options.put("topic", String.join(";", config.get(ConfigOptions.KAFKA_TOPICS)));
    options.put("properties.bootstrap.servers", config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS));
    config.getOptional(ConfigOptions.KAFKA_GROUP_ID).ifPresent(group -> options.put("properties.group.id", group));
    options.put("scan.startup.mode", "earliest-offset");
    if (config.get(ConfigOptions.BOUNDED)) {
      options.put("scan.bounded.mode", "latest-offset");
    }
    options.put("key.format", "raw");
    options.put("key.fields", "record_key");
    options.put("value.format", "json");
    options.put("value.fields-include", "EXCEPT_KEY");
    options.put("value.json.ignore-parse-errors", "true");
    options.put("value.json.timestamp-format.standard", "ISO-8601");
    return "CREATE TEMPORARY TABLE " + RAW + " ("
        + " `record_key` STRING,"
        + " `event_id` STRING, `event_type` STRING, `event_timestamp` TIMESTAMP_LTZ(6), `source_system` STRING, `schema_version` INT,"
        + " " + payloadColumn + ", `metadata` MAP<STRING, STRING>,"
        + " `kafka_topic` STRING METADATA FROM 'topic' VIRTUAL, `kafka_partition` INT METADATA FROM 'partition' VIRTUAL,"
        + " `kafka_offset` BIGINT METADATA FROM 'offset' VIRTUAL, `kafka_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,"
        + " `proctime` AS PROCTIME()"
        + ") WITH (" + QueryCommand.options(options) + ")";
  }

  /** Every event type's payload fields in one row type, typed as their silver columns. */
  private static String payloadRowType() {
    Map<String, LogicalType> fields = new LinkedHashMap<>();
    for (SilverTable table : SilverTable.values()) {
      RowType row = table.flinkRowType();
      for (PayloadField field : table.payload()) {
        LogicalType type = row.getTypeAt(table.position(field.column())).copy(true);
        LogicalType other = fields.putIfAbsent(field.name(), type);
        if (other != null && !other.equals(type)) {
          throw new IllegalStateException("payload field " + field.name() + " is " + other + " in one event type and " + type + " in another");
        }
      }
    }
    return fields.entrySet().stream()
        .map(f -> quote(f.getKey()) + " " + f.getValue().asSerializableString())
        .collect(Collectors.joining(", ", "ROW<", ">"));
  }

  /** A payload field as its silver column: trimmed, blanks as missing, case normalized, PII reduced. */
  private static String payloadExpression(PayloadField field, String key) {
    String raw = "`payload`." + quote(field.name());
    String text = "NULLIF(TRIM(" + raw + "), '')";
    return switch (field.kind()) {
      case TEXT, METRIC_NAME, MESSAGE -> text;
      case LOWER_ENUM -> "LOWER(" + text + ")";
      case UPPER_ENUM, CURRENCY -> "UPPER(" + text + ")";
      case AMOUNT, FINITE_DOUBLE, STRING_MAP -> raw;
      case EMAIL -> "SHA256(CONCAT('" + key + "', LOWER(" + text + ")))";
      case IP_ADDRESS -> "SHA256(CONCAT('" + key + "', " + text + "))";
      case CARD_NUMBER -> "RIGHT(REGEXP_REPLACE(" + raw + ", '[^0-9]', ''), 4)";
    };
  }

  private static String envelopePresent() {
    return "`event_id` IS NOT NULL AND `event_type` IS NOT NULL AND `event_timestamp` IS NOT NULL AND `source_system` IS NOT NULL";
  }

  /** The target's columns in order, each as its expression (by default the source column of its name). */
  private static String select(List<String> columns, Map<String, String> expressions) {
    return columns.stream().map(c -> expressions.getOrDefault(c, quote(c)) + " AS " + quote(c)).collect(Collectors.joining(", "));
  }

  private static String quote(String identifier) {
    return "`" + identifier + "`";
  }

  /** A Flink SQL interval literal of any length (a plain {@code INTERVAL 'n' SECOND} holds two digits). */
  private static String interval(Duration duration) {
    return String.format(
        "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
        duration.toDays(), duration.toHoursPart(), duration.toMinutesPart(), duration.toSecondsPart(), duration.toMillisPart());
  }
}
