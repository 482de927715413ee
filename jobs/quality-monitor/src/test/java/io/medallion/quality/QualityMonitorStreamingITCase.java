package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.FailOnce;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.TestSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.junit.SharedObjectsExtension;
import org.apache.flink.testutils.junit.SharedReference;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.flink.TableLoader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor unbounded, as in production: windows fire as the records' time advances, a silent
 * topic fires and resolves its freshness alert by the wall clock, a late batch changes no judged
 * window, and a failure injected after checkpoints leaves the metrics table and the alerts topic
 * exact.
 */
class QualityMonitorStreamingITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.extension(METRICS.addToConfiguration(new Configuration()));
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  @RegisterExtension final SharedObjectsExtension shared = SharedObjectsExtension.create();

  @TempDir Path dir;

  private static final String RAW = "raw.qs-events";
  private static final String QUIET = "raw.qs-quiet";
  private static final String DLQ = "dlq.qs-silver";
  private static final String ALERTS = "qs-alerts";
  private static final String QUIET_SCOPE = "topic=raw.qs-quiet,event_type=*";

  /** The scenario's checks, one that only minute 4 feeds (its row fails the job once), and a freshness check. */
  private static final String CHECKS =
      DefectScenario.checks(RAW)
          + """
            - name: metric-volume
              scope: {topic: raw.qs-events, event-type: metric}
              metric: record_count
              threshold: {min: 1}
            - name: quiet-topic
              scope: {topic: raw.qs-quiet}
              metric: freshness
              max-silence: 3s
          """;

  private final DefectScenario scenario = new DefectScenario(RAW, DLQ, 5);

  private JobConfig config() throws Exception {
    Path checks = dir.resolve("checks.yaml");
    Files.writeString(checks, CHECKS);
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "500ms", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", RAW + "," + QUIET);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", DLQ);
    settings.put("quality.alerts-topic", ALERTS);
    // Idle partitions (the quiet topic, the drained dead-letter topic) stop holding windows back after this.
    settings.put("watermark.idle-timeout", "5s");
    return JobConfig.of(QualityMonitorJob.SPEC, settings);
  }

  @Test
  void windowsFreshnessAndLateDataAreExactAcrossAnInjectedFailure() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, RAW, QUIET, DLQ, ALERTS);
    JobConfig config = config();
    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    QualityMetricsTable.definition().ensure(catalog);

    kafka.produce(scenario.rawRecords(0, 3, 5));
    kafka.produce(scenario.deadLetters());
    kafka.produce(List.of(scenario.event(QUIET, DefectScenario.minute(0))));

    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), 3));
    SharedReference<AtomicBoolean> failed = shared.add(new AtomicBoolean());
    var metricsSink =
        LakeSinks.icebergAppend(TableLoader.fromCatalog(IcebergCatalogs.loader(config), QualityMetricsTable.IDENTIFIER), QualityMonitorJob.METRICS_SINK_UID, false);
    QualityMonitorJob.build(
        env,
        KafkaConnectors.rawSource(config),
        KafkaConnectors.source(config, List.of(DLQ), new DeadLetterProfileDeserializer()),
        QualitySettings.of(config),
        rows ->
            metricsSink.accept(
                rows.map(new FailOnce(QualityMetricsTable.CHECK, "metric-volume", failed))
                    .returns(InternalTypeInfo.of(QualityMetricsTable.ROW_TYPE))
                    .uid("inject-failure")
                    .name("inject failure")),
        LakeSinks.sink(KafkaConnectors.exactlyOnceSink(config, "alerts", new AlertSerializer(ALERTS)), QualityMonitorJob.ALERTS_SINK_UID),
        LakeSinks.ledger(config, QualityMonitorJob.SPEC.name()));
    JobClient job = env.executeAsync("quality-monitor-streaming-it");
    try {
      // Minutes 0 and 1 are judged and committed, and the quiet topic has been silent for 3 s.
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(DefectScenario.windowRows(catalog)).hasSize(6));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(DefectScenario.alerts(kafka, ALERTS)).contains("quiet-topic firing"));
      // Each check's latest status is a gauge (0 ok, 1 warn, 2 fail): minute 1 failed two checks.
      String scope = scenario.scope();
      assertThat(OperatorMetrics.gauges(METRICS, job.getJobID(), "judge checks per scope window", "medallion.check."))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "medallion.check.valid-ratio.scope." + scope + ".status", 2,
                  "medallion.check.volume.scope." + scope + ".status", 0,
                  "medallion.check.dead-letters.scope." + scope + ".status", 2));

      // The rest, and a record of minute 7 whose watermark closes minute 5.
      kafka.produce(scenario.rawRecords(3, DefectScenario.MINUTES, 5));
      kafka.produce(List.of(scenario.event(RAW, DefectScenario.minute(7))));
      // Minute 4's metric-volume row fails the job once. Restored, it has read everything already,
      // and event time moves only with newer records: one of minute 8 closes the restored windows.
      await().atMost(Duration.ofSeconds(60)).until(() -> failed.get().get());
      kafka.produce(List.of(scenario.event(RAW, DefectScenario.minute(8))));
      List<Map<String, Object>> expected = new ArrayList<>(scenario.expectedRows());
      expected.add(DefectScenario.row("metric-volume", "record_count", "topic=raw.qs-events,event_type=metric", 4, 5, 1.0, null, "ok", "fail"));
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(DefectScenario.windowRows(catalog)).containsExactlyInAnyOrderElementsOf(expected));

      // A late batch of minute 2 changes no judged window; the quiet topic speaks again.
      List<ProducerRecord<byte[], byte[]>> late = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        late.add(scenario.event(RAW, DefectScenario.minute(2).plusSeconds(i)));
      }
      kafka.produce(late);
      kafka.produce(List.of(scenario.event(QUIET, DefectScenario.minute(7))));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(OperatorMetrics.sum(METRICS, job.getJobID(), "(count .*|judge checks) per scope window", "numLateRecordsDropped")).isEqualTo(10));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(DefectScenario.alerts(kafka, ALERTS)).contains("quiet-topic resolved"));

      assertThat(DefectScenario.windowRows(catalog)).containsExactlyInAnyOrderElementsOf(expected);
      List<String> alerts = new ArrayList<>(DefectScenario.expectedAlerts());
      alerts.addAll(List.of("quiet-topic firing", "quiet-topic resolved"));
      assertThat(DefectScenario.alerts(kafka, ALERTS)).containsExactlyInAnyOrderElementsOf(alerts);
      // Freshness rows, one per transition, measure wall-clock silence: observed = the span they cover.
      List<Record> freshness = IcebergTables.readAll(catalog, QualityMetricsTable.IDENTIFIER).stream().filter(r -> r.getField("check_name").equals("quiet-topic")).toList();
      assertThat(freshness).hasSize(2);
      for (Record row : freshness) {
        assertThat(row.getField("scope")).isEqualTo(QUIET_SCOPE);
        assertThat(row.getField("expected_max")).isEqualTo(3.0);
        double span = Duration.between(((OffsetDateTime) row.getField("window_start")).toInstant(), ((OffsetDateTime) row.getField("window_end")).toInstant()).toMillis() / 1000.0;
        if (row.getField("status").equals("fail")) {
          assertThat((Double) row.getField("observed")).isGreaterThan(3.0).isEqualTo(span);
        } else {
          assertThat(row.getField("status")).isEqualTo("ok");
          assertThat((Double) row.getField("observed")).isZero();
        }
      }

      // Every record of the three topics is in the ledger once, restart and late data included.
      List<String> everyRecordOnce = new ArrayList<>();
      for (String topic : List.of(DLQ, RAW, QUIET)) {
        int records = kafka.readCommitted(topic).size();
        everyRecordOnce.add(topic + "/0 read=" + records + " written=" + records + " dead=0 dropped=0 late=0");
      }
      Ledgers.awaitLines(config, kafka, QualityMonitorJob.SPEC.name(), everyRecordOnce);
    } finally {
      job.cancel().get();
    }
  }

}
