package io.medallion.gold;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobArgs;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.JobSpec;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.flink.LedgerOutput;
import io.medallion.common.flink.LakeSources;
import io.medallion.common.gold.GoldTable;
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
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.types.Value;
import org.apache.flink.util.OutputTag;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.table.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gold-aggregate: the silver tables' changelogs → tumbling event-time windows with allowed
 * lateness → Paimon {@code gold.*} (primary key = dimensions + window start, so a late firing
 * replaces the window's row), and every event later than the allowed lateness, or that cannot be
 * aggregated (a metric value that is not finite), → the dead-letter topic (shared/DESIGN.md §1, §5).
 *
 * <p>Event time advances by Paimon's snapshot watermark: silver commits each snapshot with its
 * event-time watermark, and gold's source emits it after that snapshot's rows. However far behind
 * gold is, and in whatever order a snapshot's rows come, a window fires only once every snapshot
 * up to its end has been read, so a catch-up over days of history dead-letters nothing that was
 * on time in silver. Whether a row is late depends only on the snapshot that holds it, so a run
 * with restarts decides as one without (see {@link EventTimeAssigner}). Each gold table has its own pipeline, so a silver table without new events
 * holds back only its own gold table.
 */
public final class GoldAggregateJob {
  public static final JobSpec SPEC = new JobSpec("gold-aggregate", Stage.GOLD, EnumSet.of(JobSpec.Needs.PAIMON, JobSpec.Needs.ICEBERG));

  public static final String DLQ_SINK_UID = "dlq-gold-sink";
  public static final String MAINTENANCE_UID_SUFFIX = "gold";

  private static final Logger LOG = LoggerFactory.getLogger(GoldAggregateJob.class);

  private GoldAggregateJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config = JobArgs.load(SPEC, args, System.getenv());
    StreamExecutionEnvironment env = JobEnvironment.create(config);
    define(env, config);
    env.execute(SPEC.name());
  }

  /** Creates the tables when missing and adds the job, with its real Paimon and Kafka edges, to {@code env}. */
  public static void define(StreamExecutionEnvironment env, JobConfig config) throws Exception {
    LOG.info("Defining {} with {}", SPEC.name(), config);
    // Wrong credentials or an untrusted certificate stop the job here, with a clear message.
    KafkaStartupCheck.check(config);
    Map<SilverTable, Table> silverTables = new EnumMap<>(SilverTable.class);
    Map<GoldTable, Consumer<DataStream<RowData>>> tableSinks = new EnumMap<>(GoldTable.class);
    try (Catalog catalog = PaimonCatalogs.create(config)) {
      for (GoldTable table : GoldTable.values()) {
        // Silver's tables too, so gold may start before silver has ever run.
        // With the same retention as silver's writer: Paimon's source refuses a consumer id on a
        // table without consumer.expiration-time.
        silverTables.put(
            table.source(),
            PaimonMaintenance.withRetention(PaimonTables.ensure(catalog, table.source().identifier(), table.source().schema()), config));
        tableSinks.put(
            table,
            LakeSinks.paimon(
                PaimonMaintenance.withRetention(PaimonTables.ensure(catalog, table.identifier(), table.schema()), config), sinkUid(table)));
      }
    }
    PaimonMaintenance.appendIfEnabled(
        env, config, Arrays.stream(GoldTable.values()).map(GoldTable::identifier).toList(), MAINTENANCE_UID_SUFFIX);
    String consumerId = config.getOptional(ConfigOptions.GOLD_CONSUMER_ID).orElse(SPEC.name());
    build(
        env,
        silver ->
            LakeSources.paimonChangelog(
                env,
                silverTables.get(silver),
                consumerId,
                config.get(ConfigOptions.GOLD_DISCOVERY_INTERVAL),
                config.get(ConfigOptions.BOUNDED),
                sourceUid(silver)),
        GoldSettings.of(config),
        tableSinks,
        LakeSinks.sink(KafkaConnectors.deadLetterSink(config), DLQ_SINK_UID),
        LakeSinks.ledger(config, SPEC.name()));
  }

  /**
   * The topology, with its edges injected: {@code silverChangelog} gives the changelog of a silver
   * table with its watermarks, tests pass their own or wrapped sinks.
   */
  public static void build(
      StreamExecutionEnvironment env,
      Function<SilverTable, DataStream<RowData>> silverChangelog,
      GoldSettings settings,
      Map<GoldTable, Consumer<DataStream<RowData>>> tableSinks,
      Consumer<DataStream<DeadLetter>> deadLetterSink,
      Consumer<DataStream<RowData>> ledgerSink) {
    DataStream<DeadLetter> deadLetters = null;
    DataStream<RowData> ledger = null;
    for (GoldTable table : GoldTable.values()) {
      SilverTable source = table.source();
      GoldAggregation<?> aggregation = GoldAggregation.of(table);
      OutputTag<RowData> deadTag = GoldOutputs.DEAD_LETTERS.get(source);
      SingleOutputStreamOperator<RowData> events =
          silverChangelog
              .apply(source)
              .transform(
                  "event time " + source.qualifiedName(),
                  InternalTypeInfo.of(source.flinkRowType()),
                  new EventTimeAssigner(settings, deadTag, aggregation, eventTimeUid(source)))
              .uid(eventTimeUid(source));
      SingleOutputStreamOperator<RowData> windows = aggregate(events, aggregation, settings);
      tableSinks.get(table).accept(windows);
      DataStream<DeadLetter> letters =
          events
              .getSideOutput(deadTag)
              .union(windows.getSideOutput(deadTag))
              .process(new DeadLetterFunction(SPEC.name(), aggregation, settings, Clock.systemUTC()), TypeInformation.of(DeadLetter.class))
              .uid(deadLetterUid(source))
              .name("dead letters of " + source.qualifiedName());
      deadLetters = deadLetters == null ? letters : deadLetters.union(letters);
      ledger = ledger == null ? events.getSideOutput(LedgerOutput.TAG) : ledger.union(events.getSideOutput(LedgerOutput.TAG));
    }
    deadLetterSink.accept(deadLetters);
    ledgerSink.accept(ledger);
  }

  /** The windows of one gold table, with their late rows in its dead-letter side output; package-private for the operator test. */
  static <A extends Value> SingleOutputStreamOperator<RowData> aggregate(
      DataStream<RowData> events, GoldAggregation<A> aggregation, GoldSettings settings) {
    GoldTable table = aggregation.table();
    TypeInformation<A> aggregateType = TypeInformation.of(aggregation.aggregateType());
    return events
        .keyBy(aggregation, Types.STRING)
        .window(TumblingEventTimeWindows.of(settings.windowSize()))
        .allowedLateness(settings.allowedLateness())
        .sideOutputLateData(GoldOutputs.DEAD_LETTERS.get(table.source()))
        .aggregate(aggregation, new GoldRowFunction<>(aggregation), aggregateType, aggregateType, InternalTypeInfo.of(table.flinkRowType()))
        .uid(windowUid(table))
        .name("windows of " + table.qualifiedName());
  }

  static String sourceUid(SilverTable table) {
    return "source-" + table.qualifiedName();
  }

  static String eventTimeUid(SilverTable table) {
    return "event-time-" + table.qualifiedName();
  }

  static String windowUid(GoldTable table) {
    return "windows-" + table.qualifiedName();
  }

  /** The uid it had when it dead-lettered only late rows, which savepoints know it by. */
  static String deadLetterUid(SilverTable table) {
    return "late-" + table.qualifiedName();
  }

  public static String sinkUid(GoldTable table) {
    return "sink-" + table.qualifiedName();
  }
}
