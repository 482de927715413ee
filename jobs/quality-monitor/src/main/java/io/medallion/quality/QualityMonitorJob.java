package io.medallion.quality;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.event.RawRecord;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.AuditedOperators;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.iceberg.IcebergMaintenance;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.kafka.KafkaStartupCheck;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.common.quality.RecordProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 * quality-monitor: raw topics and dead-letter topics → a profile of each record (decoded? valid?
 * which rule broken? lag, schema version, missing fields, duplicate?) → per (topic, event type)
 * tumbling event-time windows of counts → each check's scope → each check judged per window
 * (threshold, relative change or EWMA z-score) → Iceberg {@code quality.metrics}, one row per check
 * per scope per window, and Kafka {@code quality.alerts} when a check starts or stops failing
 * (shared/DESIGN.md §1). Exactly once: offsets, windows, check histories, the Iceberg commit and
 * the alert transaction move with the checkpoint.
 */
public final class QualityMonitorJob {
  public static final JobSpec SPEC =
      new JobSpec("quality-monitor", null, EnumSet.of(JobSpec.Needs.KAFKA_SOURCE, JobSpec.Needs.ICEBERG, JobSpec.Needs.QUALITY_CHECKS));

  public static final String RAW_SOURCE_UID = "raw-topics-source";
  public static final String DEAD_LETTER_SOURCE_UID = "dead-letter-topics-source";
  public static final String METRICS_SINK_UID = "quality-metrics-sink";
  public static final String MAINTENANCE_UID_SUFFIX = "quality-metrics-maintenance";
  public static final String ALERTS_SINK_UID = "quality-alerts-sink";
  public static final String PROFILE_UID = "profile";
  public static final String AUDIT_DEAD_LETTERS_UID = "audit-dead-letters";

  /**
   * Each check's latest status ({@link io.medallion.common.quality.Judgement.Status} ordinal: 0 ok,
   * 1 warn, 2 fail) is the gauge {@code status} under the metric group {@code medallion}, labelled
   * {@code check} and {@code scope}; the deployment's alerts and dashboard read it by these names.
   */
  public static final String STATUS_GAUGE = "status";

  public static final String CHECK_LABEL = "check";
  public static final String SCOPE_LABEL = "scope";

  private static final Logger LOG = LoggerFactory.getLogger(QualityMonitorJob.class);

  private QualityMonitorJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config = JobArgs.load(SPEC, args, System.getenv());
    StreamExecutionEnvironment env = JobEnvironment.create(config);
    define(env, config);
    env.execute(SPEC.name());
  }

  /** Reads the check file, creates {@code quality.metrics} when missing and adds the job with its real edges to {@code env}. */
  public static void define(StreamExecutionEnvironment env, JobConfig config) throws Exception {
    LOG.info("Defining {} with {}", SPEC.name(), config);
    // Wrong credentials or an untrusted certificate stop the job here, with a clear message.
    KafkaStartupCheck.check(config);
    QualitySettings settings = QualitySettings.of(config);
    CatalogLoader catalog = IcebergCatalogs.loader(config);
    QualityMetricsTable.definition().ensure(catalog.loadCatalog());
    TableLoader metrics = TableLoader.fromCatalog(catalog, QualityMetricsTable.IDENTIFIER);
    IcebergMaintenance.appendIfEnabled(env, config, metrics.clone(), MAINTENANCE_UID_SUFFIX);
    build(
        env,
        KafkaConnectors.rawSource(config),
        KafkaConnectors.source(config, config.get(ConfigOptions.QUALITY_DEAD_LETTER_TOPICS), new DeadLetterProfileDeserializer()),
        settings,
        LakeSinks.icebergAppend(metrics, METRICS_SINK_UID, config.get(ConfigOptions.BOUNDED)),
        LakeSinks.sink(KafkaConnectors.exactlyOnceSink(config, "alerts", new AlertSerializer(config.get(ConfigOptions.QUALITY_ALERTS_TOPIC))), ALERTS_SINK_UID),
        LakeSinks.ledger(config, SPEC.name()));
  }

  /** The topology, with its edges injected: tests pass their own sources or wrapped sinks. */
  public static void build(
      StreamExecutionEnvironment env,
      Source<RawRecord, ?, ?> rawSource,
      Source<RecordProfile, ?, ?> deadLetterSource,
      QualitySettings settings,
      Consumer<DataStream<RowData>> metricsSink,
      Consumer<DataStream<QualityResult>> alertsSink,
      Consumer<DataStream<RowData>> ledgerSink) {
    TypeInformation<RecordProfile> profileType = TypeInformation.of(RecordProfile.class);
    SingleOutputStreamOperator<RecordProfile> raw =
        AuditedOperators.process(
            env.fromSource(rawSource, settings.<RawRecord>watermarks((record, kafkaTime) -> record.timestamp), "raw topics", TypeInformation.of(RawRecord.class))
                .uid(RAW_SOURCE_UID),
            new ProfileFunction(settings),
            profileType,
            SPEC.name(),
            PROFILE_UID,
            "profile records");
    DataStream<RowData> ledger = raw.getSideOutput(LedgerOutput.TAG);
    List<DataStream<QualityResult>> judged = new ArrayList<>();
    List<WindowSlot> slots = settings.windowSlots();
    if (!slots.isEmpty()) {
      // Records are counted where they are read, under their source's own per-partition watermarks
      // (a catch-up over partitions read at different speeds loses nothing); only counts travel.
      DataStream<RecordProfile> duplicateMarkers =
          raw.filter(RecordProfile::decoded)
              .uid("decoded")
              .name("decoded")
              .keyBy(profile -> profile.eventId, Types.STRING)
              .process(new DuplicateMarker(settings.duplicateRetention()), profileType)
              .uid("duplicates")
              .name("mark duplicates");
      SingleOutputStreamOperator<RecordProfile> deadLetters =
          AuditedOperators.process(
              env.fromSource(deadLetterSource, settings.<RecordProfile>watermarks((profile, kafkaTime) -> profile.timestamp), "dead-letter topics", profileType)
                  .uid(DEAD_LETTER_SOURCE_UID),
              new AuditDeadLetterFunction(),
              profileType,
              SPEC.name(),
              AUDIT_DEAD_LETTERS_UID,
              "audit dead letters");
      ledger = ledger.union(deadLetters.getSideOutput(LedgerOutput.TAG));
      Duration lateness = settings.allowedLateness();
      judged.add(
          WindowCounter.count(raw, "records", slots, lateness)
              .union(WindowCounter.count(duplicateMarkers, "duplicates", slots, lateness), WindowCounter.count(deadLetters, "dead-letters", slots, lateness))
              .keyBy(count -> count.slot, Types.INT)
              .process(new ScopeJudge(settings), TypeInformation.of(QualityResult.class))
              .uid("judge")
              .name("judge checks per scope window"));
    }
    if (!settings.freshnessScopes().isEmpty()) {
      judged.add(
          raw.flatMap(new Heartbeats(settings.freshnessScopes()), Types.STRING)
              .uid("heartbeats")
              .name("heartbeats of freshness scopes")
              .keyBy(scope -> scope, Types.STRING)
              .process(new FreshnessFunction(settings.freshnessChecks()), TypeInformation.of(QualityResult.class))
              .uid("freshness")
              .name("judge freshness"));
    }
    // The check file has at least one check, so there is at least one stream.
    DataStream<QualityResult> results = judged.get(0);
    for (DataStream<QualityResult> more : judged.subList(1, judged.size())) {
      results = results.union(more);
    }
    metricsSink.accept(results.map(QualityResult::toRow, InternalTypeInfo.of(QualityMetricsTable.ROW_TYPE)).uid("metric-rows").name("metric rows"));
    alertsSink.accept(results.filter(QualityResult::changesAlert).uid("alert-transitions").name("alert transitions"));
    ledgerSink.accept(ledger);
  }
}
