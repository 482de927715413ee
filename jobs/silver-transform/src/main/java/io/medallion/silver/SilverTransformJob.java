package io.medallion.silver;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.AuditedOperators;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.iceberg.BronzeReplay;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.kafka.KafkaStartupCheck;
import io.medallion.common.paimon.PaimonCatalogs;
import io.medallion.common.paimon.PaimonMaintenance;
import io.medallion.common.paimon.PaimonTables;
import io.medallion.common.silver.SilverTable;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.paimon.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * silver-transform: raw Kafka topics → validated, cleansed, deduplicated Paimon {@code silver.*}
 * tables, with every rule violation → the dead-letter topic (shared/DESIGN.md §1); or, with {@code
 * --source bronze}, the same from the archive in {@code bronze.events}. Exactly once:
 * Kafka offsets, the deduplication state, the Paimon commits and the dead-letter transaction all
 * move with the checkpoint.
 */
public final class SilverTransformJob {
  public static final JobSpec SPEC =
      new JobSpec(
          "silver-transform",
          Stage.SILVER,
          EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.PAIMON, JobSpec.Needs.ICEBERG, JobSpec.Needs.PII_KEY));

  public static final String SOURCE_UID = "raw-topics-source";
  /** A rebuild from bronze is its own job with its own checkpoints; its source has its own uid. */
  public static final String BRONZE_SOURCE_UID = "bronze-replay-source";
  public static final String VALIDATE_UID = "validate-cleanse";
  public static final String DLQ_SINK_UID = "dlq-silver-sink";
  public static final String MAINTENANCE_UID_SUFFIX = "silver";

  private static final Logger LOG = LoggerFactory.getLogger(SilverTransformJob.class);

  private SilverTransformJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config = JobArgs.load(SPEC, args, System.getenv());
    StreamExecutionEnvironment env = JobEnvironment.create(config);
    define(env, config);
    env.execute(SPEC.name());
  }

  /** Creates the tables when missing and adds the job, with its real Kafka and Paimon edges, to {@code env}. */
  public static void define(StreamExecutionEnvironment env, JobConfig config) throws Exception {
    LOG.info("Defining {} with {}", SPEC.name(), config);
    // Wrong credentials or an untrusted certificate stop the job here, with a clear message.
    KafkaStartupCheck.check(config);
    Map<SilverTable, Consumer<DataStream<RowData>>> tableSinks = new EnumMap<>(SilverTable.class);
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      for (SilverTable table : SilverTable.values()) {
        tableSinks.put(
            table,
            LakeSinks.paimon(
                PaimonMaintenance.withRetention(PaimonTables.ensure(catalog, table.identifier(), table.schema()), config), sinkUid(table)));
      }
    }
    PaimonMaintenance.appendIfEnabled(
        env, config, Arrays.stream(SilverTable.values()).map(SilverTable::identifier).toList(), MAINTENANCE_UID_SUFFIX);
    boolean fromBronze = ConfigOptions.SOURCE_BRONZE.equals(config.get(ConfigOptions.SOURCE));
    build(
        env,
        fromBronze ? BronzeReplay.source(config) : KafkaConnectors.rawSource(config),
        fromBronze ? BRONZE_SOURCE_UID : SOURCE_UID,
        SilverSettings.of(config),
        tableSinks,
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), DLQ_SINK_UID),
        LakeSinks.ledger(config, SPEC.name()));
  }

  /** The topology, with its edges injected: tests pass their own source or wrapped sinks. */
  public static void build(
      StreamExecutionEnvironment env,
      Source<RawRecord, ?, ?> source,
      String sourceUid,
      SilverSettings settings,
      Map<SilverTable, Consumer<DataStream<RowData>>> tableSinks,
      Consumer<DataStream<DeadLetter>> deadLetterSink,
      Consumer<DataStream<RowData>> ledgerSink) {
    DataStream<RawRecord> raw =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), sourceUid, TypeInformation.of(RawRecord.class)).uid(sourceUid);
    SingleOutputStreamOperator<Void> validated =
        AuditedOperators.process(
            raw, new ValidateFunction(SPEC.name(), settings, Clock.systemUTC()), Types.VOID, SPEC.name(), VALIDATE_UID, "validate and cleanse");
    DataStream<RowData> ledger = validated.getSideOutput(LedgerOutput.TAG);
    for (SilverTable table : SilverTable.values()) {
      SingleOutputStreamOperator<RowData> unique =
          AuditedOperators.process(
              validated
                  .getSideOutput(SilverOutputs.TAGS.get(table))
                  .assignTimestampsAndWatermarks(settings.watermarks())
                  .uid(watermarksUid(table))
                  .name("event-time watermarks " + table.qualifiedName())
                  .keyBy(new EventIdKey()),
              new DeduplicateFunction(settings.dedupRetention()),
              InternalTypeInfo.of(table.flinkRowType()),
              SPEC.name(),
              VALIDATE_UID,
              dedupUid(table),
              "deduplicate " + table.qualifiedName());
      tableSinks.get(table).accept(unique);
      ledger = ledger.union(unique.getSideOutput(LedgerOutput.TAG));
    }
    deadLetterSink.accept(validated.getSideOutput(DeadLetters.TAG));
    ledgerSink.accept(ledger);
  }

  static String watermarksUid(SilverTable table) {
    return "watermarks-" + table.qualifiedName();
  }

  static String dedupUid(SilverTable table) {
    return "dedup-" + table.qualifiedName();
  }

  public static String sinkUid(SilverTable table) {
    return "sink-" + table.qualifiedName();
  }
}
