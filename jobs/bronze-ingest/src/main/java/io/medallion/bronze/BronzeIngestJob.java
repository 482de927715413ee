package io.medallion.bronze;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.DeadLetterRateBreaker;
import io.medallion.common.deadletter.DeadLetters;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.AuditedOperators;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.iceberg.BronzeEventsTable;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.iceberg.IcebergMaintenance;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.kafka.KafkaStartupCheck;
import java.time.Clock;
import java.util.EnumSet;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bronze-ingest: raw Kafka topics → Iceberg {@code bronze.events}, with records that cannot become
 * an envelope → the dead-letter topic (shared/DESIGN.md §1). Exactly once end to end: Kafka offsets,
 * the Iceberg commit and the dead-letter transaction all move with the checkpoint.
 */
public final class BronzeIngestJob {
  public static final JobSpec SPEC =
      new JobSpec("bronze-ingest", Stage.BRONZE, EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.ICEBERG));

  public static final String SOURCE_UID = "raw-topics-source";
  public static final String DECODE_UID = "decode-envelope";
  public static final String BRONZE_SINK_UID = "bronze-events-sink";
  public static final String DLQ_SINK_UID = "dlq-bronze-sink";
  public static final String MAINTENANCE_UID_SUFFIX = "bronze-events-maintenance";

  private static final Logger LOG = LoggerFactory.getLogger(BronzeIngestJob.class);

  private BronzeIngestJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config = JobArgs.load(SPEC, args, System.getenv());
    StreamExecutionEnvironment env = JobEnvironment.create(config);
    define(env, config);
    env.execute(SPEC.name());
  }

  /** Creates the table when missing and adds the job, with its real Kafka and Iceberg edges, to {@code env}. */
  public static void define(StreamExecutionEnvironment env, JobConfig config) {
    LOG.info("Defining {} with {}", SPEC.name(), config);
    // Wrong credentials or an untrusted certificate stop the job here, with a clear message.
    KafkaStartupCheck.check(config);
    CatalogLoader catalog = IcebergCatalogs.loader(config);
    BronzeEventsTable.definition().ensure(catalog.loadCatalog());
    IcebergMaintenance.appendIfEnabled(env, config, TableLoader.fromCatalog(catalog, BronzeEventsTable.IDENTIFIER), MAINTENANCE_UID_SUFFIX);
    build(
        env,
        KafkaConnectors.rawSource(config),
        config.get(ConfigOptions.MAX_RECORD_BYTES),
        config.deadLetterRateLimit().orElse(null),
        LakeSinks.icebergAppend(
            TableLoader.fromCatalog(catalog, BronzeEventsTable.IDENTIFIER),
            BRONZE_SINK_UID,
            config.get(ConfigOptions.BOUNDED)),
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), DLQ_SINK_UID),
        LakeSinks.ledger(config, SPEC.name()));
  }

  /**
   * The topology, with its edges injected: tests pass their own source or wrapped sinks.
   *
   * @param deadLetterRate the dead-letter circuit breaker's limit, or null for none
   */
  public static void build(
      StreamExecutionEnvironment env,
      Source<RawRecord, ?, ?> source,
      long maxRecordBytes,
      DeadLetterRateBreaker.Limit deadLetterRate,
      Consumer<DataStream<RowData>> bronzeSink,
      Consumer<DataStream<DeadLetter>> deadLetterSink,
      Consumer<DataStream<RowData>> ledgerSink) {
    DataStream<RawRecord> raw =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "raw topics").uid(SOURCE_UID);
    SingleOutputStreamOperator<RowData> rows =
        AuditedOperators.process(
            raw,
            new DecodeEnvelopeFunction(SPEC.name(), maxRecordBytes, Clock.systemUTC(), deadLetterRate),
            InternalTypeInfo.of(BronzeEventsTable.ROW_TYPE),
            SPEC.name(),
            DECODE_UID,
            "decode envelope");
    bronzeSink.accept(rows);
    deadLetterSink.accept(rows.getSideOutput(DeadLetters.TAG));
    ledgerSink.accept(rows.getSideOutput(LedgerOutput.TAG));
  }
}
