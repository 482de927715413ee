package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.config.JobConfig;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.ChaosRun;
import io.medallion.testkit.ChaosSuite;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.Ledgers;
import io.medallion.testkit.TestSources;
import io.medallion.testkit.WarehouseFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.TableLoader;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The monitor writes every check's row once per window and raises every alert once through the
 * faults of the chaos testkit and a resume from a savepoint at another parallelism: window counts,
 * check histories (the volume check compares with the window before), the Iceberg commit and the
 * alert transaction all move with the checkpoint.
 */
class QualityChaosITCase extends ChaosSuite {
  /** A check that only minute 4's metric events feed: its single row is where failures are injected. */
  private static final String METRIC_VOLUME = "metric-volume";
  private static final int METRIC_EVENTS_IN_MINUTE_4 = 5;

  @Override
  protected int parallelismBeforeSavepoint() {
    return 1;
  }

  /**
   * Runs the monitor over the six minutes of {@link DefectScenario}: minutes 0–2 and the dead
   * letters first, until minutes 0 and 1 are judged and committed; minutes 3 and 4; the {@code
   * disturbance}; minute 5; then the job ends at the topics' known ends and judges the last window.
   * Injected failures strike in front of the quality.metrics sink; those on a row hit minute 4's
   * metric-volume row.
   */
  @Override
  protected JobID run(ChaosCase chaosCase) throws Exception {
    String name = chaosCase.name();
    KafkaBroker kafka = KAFKA.broker();
    String raw = "raw.q-" + name;
    String dlq = "dlq.q-" + name;
    String alerts = "alerts.q-" + name;
    kafka.createTopics(1, raw, dlq, alerts);
    DefectScenario scenario = new DefectScenario(raw, dlq, 5);
    List<List<ProducerRecord<byte[], byte[]>>> parts =
        List.of(
            scenario.rawRecords(0, 3, METRIC_EVENTS_IN_MINUTE_4),
            scenario.rawRecords(3, 5, METRIC_EVENTS_IN_MINUTE_4),
            scenario.rawRecords(5, DefectScenario.MINUTES, METRIC_EVENTS_IN_MINUTE_4));
    List<ProducerRecord<byte[], byte[]>> allRaw = new ArrayList<>();
    parts.forEach(allRaw::addAll);
    List<ProducerRecord<byte[], byte[]>> deadLetters = scenario.deadLetters();

    Path checks = dir.resolve("checks.yaml");
    Files.writeString(
        checks,
        DefectScenario.checks(raw)
            + """
              - name: %s
                scope: {topic: %s, event-type: metric}
                metric: record_count
                threshold: {min: 1}
            """
                .formatted(METRIC_VOLUME, raw));
    Map<String, String> settings = WarehouseFileSystem.onSwitchableWarehouses(JobSettings.local(kafka.bootstrapServers(), dir, "500ms", chaosCase.parallelism()));
    settings.put("kafka.topics", raw);
    settings.put("kafka.group-id", "quality-chaos-" + name);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", dlq);
    settings.put("quality.alerts-topic", alerts);
    // No input goes idle while a fault holds the job up: windows close by event time only.
    settings.put("watermark.idle-timeout", "10m");
    JobConfig config = JobConfig.of(QualityMonitorJob.SPEC, settings);
    Catalog catalog = IcebergCatalogs.loader(config).loadCatalog();
    QualityMetricsTable.definition().ensure(catalog);

    List<Map<String, Object>> expected = new ArrayList<>(scenario.expectedRows());
    List<Map<String, Object>> firstTwoMinutes = List.copyOf(expected.subList(0, 6));
    expected.add(DefectScenario.row(METRIC_VOLUME, "record_count", "topic=" + raw + ",event_type=metric", 4, METRIC_EVENTS_IN_MINUTE_4, 1.0, null, "ok", "fail"));

    JobID job =
        chaosCase
            .disturbance()
            .apply(
                ChaosRun.of(
                    "quality-chaos-" + name,
                    TestSources.withRestarts(JobEnvironment.flinkConfiguration(config), chaosCase.restartAttempts()),
                    env -> {
                      Consumer<DataStream<RowData>> metrics =
                          LakeSinks.icebergAppend(
                              TableLoader.fromCatalog(IcebergCatalogs.loader(config), QualityMetricsTable.IDENTIFIER), QualityMonitorJob.METRICS_SINK_UID, false);
                      QualityMonitorJob.build(
                          env,
                          TestSources.rawUntil(kafka, raw, "quality-chaos-" + name, allRaw),
                          TestSources.until(kafka, dlq, "quality-chaos-dlq-" + name, deadLetters, new DeadLetterProfileDeserializer()),
                          QualitySettings.of(config),
                          rows ->
                              metrics.accept(
                                  rows.map(chaosCase.failureInjection(QualityMetricsTable.CHECK, METRIC_VOLUME))
                                      .returns(InternalTypeInfo.of(QualityMetricsTable.ROW_TYPE))
                                      .uid("inject-failure")
                                      .name("inject failure")),
                          LakeSinks.sink(KafkaConnectors.exactlyOnceSink(config, "alerts", new AlertSerializer(alerts)), QualityMonitorJob.ALERTS_SINK_UID),
                          LakeSinks.ledger(config, QualityMonitorJob.SPEC.name()));
                    })
                    .first(() -> {
                      kafka.produce(parts.get(0));
                      kafka.produce(deadLetters);
                    })
                    .committedWhen(() -> new HashSet<>(DefectScenario.windowRows(catalog)).equals(new HashSet<>(firstTwoMinutes)))
                    .then(() -> kafka.produce(parts.get(1)))
                    .rest(() -> kafka.produce(parts.get(2)))
                    .resumedStopsWhen(() -> TestSources.readToTheEnd(kafka, "quality-chaos-" + name, raw, allRaw)))
            .toTheEnd();

    assertInjected(chaosCase);
    assertThat(DefectScenario.windowRows(catalog)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(DefectScenario.alerts(kafka, alerts)).containsExactlyInAnyOrderElementsOf(DefectScenario.expectedAlerts());
    // Every record read once over all runs (a resume from a savepoint is a run of its own), and the
    // ledger balances, also when the failures strike the last window, after the sinks' end of input.
    assertThat(Ledgers.readPerPartition(Ledgers.balanced(config, kafka), QualityMonitorJob.SPEC.name()))
        .isEqualTo(Ledgers.recordsPerPartition(kafka, raw, dlq));
    return job;
  }
}
