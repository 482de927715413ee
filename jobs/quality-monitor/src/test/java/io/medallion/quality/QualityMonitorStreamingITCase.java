package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.flink.LakeSinks;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.kafka.KafkaConnectors;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.FailOnce;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
import io.medallion.testkit.OperatorMetrics;
import io.medallion.testkit.TestSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
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
  private static final String SCOPE = "topic=raw.qs-events,event_type=*";
  private static final String QUIET_SCOPE = "topic=raw.qs-quiet,event_type=*";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CHECKS =
      """
      checks:
        - name: valid-ratio
          scope: {topic: raw.qs-events}
          metric: valid_ratio
          threshold: {min: 0.9}
        - name: volume
          scope: {topic: raw.qs-events}
          metric: record_count
          anomaly: {method: relative-change, max-change: 0.5}
          severity: warn
        - name: dead-letters
          scope: {topic: raw.qs-events}
          metric: dead_letter_rate
          threshold: {max: 0.05}
        - name: metric-volume
          scope: {topic: raw.qs-events, event-type: metric}
          metric: record_count
          threshold: {min: 1}
        - name: quiet-topic
          scope: {topic: raw.qs-quiet}
          metric: freshness
          max-silence: 3s
      """;

  private final EventFactory events = new EventFactory(5, T0, Duration.ZERO);

  private static Instant minute(int minute) {
    return T0.plusSeconds(60L * minute);
  }

  /**
   * 20 records a minute, except a 30 % invalid burst in minute 1 and a drop to 5 in minute 3;
   * minute 4 holds 5 metric events among its 20 (the only window of metric-volume).
   */
  private List<ProducerRecord<byte[], byte[]>> minutes(int from, int to) {
    int[] counts = {20, 20, 20, 5, 20, 20};
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int minute = from; minute < to; minute++) {
      for (int i = 0; i < counts[minute]; i++) {
        ObjectNode event = events.next(minute == 4 && i < 5 ? "metric" : "transaction", minute(minute).plusSeconds(2L * i));
        if (minute == 1 && i < 6) {
          ((ObjectNode) event.get("payload")).put("amount", -5);
        }
        records.add(record(RAW, minute(minute).plusSeconds(2L * i + 1), event));
      }
    }
    return records;
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, Instant recorded, ObjectNode event) {
    return new ProducerRecord<>(topic, 0, recorded.toEpochMilli(), null, EventFactory.bytes(event));
  }

  /** A dead letter of a record of {@code sourceTime}, failed 5 s later (its Kafka timestamp, the monitor's event time). */
  private static ProducerRecord<byte[], byte[]> deadLetter(Instant sourceTime) {
    ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(DLQ, 0, sourceTime.plusSeconds(5).toEpochMilli(), null, "{oops".getBytes(StandardCharsets.UTF_8));
    letter.headers().add(new RecordHeader(DeadLetterHeaders.ERROR_CODE, "MALFORMED_JSON".getBytes(StandardCharsets.UTF_8)));
    letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, RAW.getBytes(StandardCharsets.UTF_8)));
    letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TIMESTAMP, sourceTime.toString().getBytes(StandardCharsets.UTF_8)));
    return letter;
  }

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

    kafka.produce(minutes(0, 3));
    kafka.produce(List.of(deadLetter(minute(1).plusSeconds(3)), deadLetter(minute(1).plusSeconds(40))));
    kafka.produce(List.of(record(QUIET, minute(0), events.next("system", minute(0)))));

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
        LakeSinks.sink(KafkaConnectors.exactlyOnceSink(config, "alerts", new AlertSerializer(ALERTS)), QualityMonitorJob.ALERTS_SINK_UID));
    JobClient job = env.executeAsync("quality-monitor-streaming-it");
    try {
      // Minutes 0 and 1 are judged and committed, and the quiet topic has been silent for 3 s.
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(windowRows(catalog)).hasSize(6));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(alerts(kafka)).contains("quiet-topic firing"));

      // The rest, and a record of minute 7 whose watermark closes minute 5.
      kafka.produce(minutes(3, 6));
      kafka.produce(List.of(record(RAW, minute(7), events.next("transaction", minute(7)))));
      // Minute 4's metric-volume row fails the job once. Restored, it has read everything already,
      // and event time moves only with newer records: one of minute 8 closes the restored windows.
      await().atMost(Duration.ofSeconds(60)).until(() -> failed.get().get());
      kafka.produce(List.of(record(RAW, minute(8), events.next("transaction", minute(8)))));
      List<Map<String, Object>> expected = expectedWindowRows();
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(windowRows(catalog)).containsExactlyInAnyOrderElementsOf(expected));

      // A late batch of minute 2 changes no judged window; the quiet topic speaks again.
      List<ProducerRecord<byte[], byte[]>> late = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        late.add(record(RAW, minute(2).plusSeconds(i), events.next("transaction", minute(2).plusSeconds(i))));
      }
      kafka.produce(late);
      kafka.produce(List.of(record(QUIET, minute(7), events.next("system", minute(7)))));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(OperatorMetrics.sum(METRICS, job.getJobID(), "judge checks per scope.*", "numLateRecordsDropped")).isEqualTo(10));
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(alerts(kafka)).contains("quiet-topic resolved"));

      assertThat(windowRows(catalog)).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(alerts(kafka))
          .containsExactlyInAnyOrder(
              "valid-ratio firing window " + minute(1) + " observed 0.7 first fired " + minute(2),
              "valid-ratio resolved window " + minute(2) + " observed 1.0 first fired " + minute(2),
              "dead-letters firing window " + minute(1) + " observed 0.1 first fired " + minute(2),
              "dead-letters resolved window " + minute(2) + " observed 0.0 first fired " + minute(2),
              "volume firing window " + minute(3) + " observed 5.0 first fired " + minute(4),
              "volume resolved window " + minute(5) + " observed 20.0 first fired " + minute(4),
              "quiet-topic firing",
              "quiet-topic resolved");
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
    } finally {
      job.cancel().get();
    }
  }

  private static List<Map<String, Object>> expectedWindowRows() {
    List<Map<String, Object>> expected = new ArrayList<>();
    double[] valid = {1, 0.7, 1, 1, 1, 1};
    double[] volume = {20, 20, 20, 5, 20, 20};
    double[] letters = {0, 0.1, 0, 0, 0, 0};
    for (int m = 0; m < 6; m++) {
      expected.add(row("valid-ratio", "valid_ratio", SCOPE, m, valid[m], 0.9, null, valid[m] < 0.9 ? "fail" : "ok", "fail"));
      Double[] range = m == 0 ? new Double[] {null, null} : new Double[] {volume[m - 1] * 0.5, volume[m - 1] * 1.5};
      expected.add(row("volume", "record_count", SCOPE, m, volume[m], range[0], range[1], m == 3 || m == 4 ? "warn" : "ok", "warn"));
      expected.add(row("dead-letters", "dead_letter_rate", SCOPE, m, letters[m], null, 0.05, letters[m] > 0.05 ? "fail" : "ok", "fail"));
    }
    expected.add(row("metric-volume", "record_count", "topic=raw.qs-events,event_type=metric", 4, 5, 1.0, null, "ok", "fail"));
    return expected;
  }

  /** The windowed rows of quality.metrics (freshness rows are wall-clock and checked apart). */
  private static List<Map<String, Object>> windowRows(Catalog catalog) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Record record : IcebergTables.readAll(catalog, QualityMetricsTable.IDENTIFIER)) {
      if (!record.getField("metric").equals("freshness")) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (var field : QualityMetricsTable.SCHEMA.columns()) {
          Object value = record.getField(field.name());
          row.put(field.name(), value instanceof OffsetDateTime time ? time.toInstant() : value instanceof CharSequence text ? text.toString() : value);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Committed alerts; freshness alerts without their wall-clock times. */
  private static List<String> alerts(KafkaBroker kafka) throws Exception {
    List<String> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> alert : kafka.readCommitted(ALERTS)) {
      JsonNode json = JSON.readTree(alert.value());
      String check = json.get("check").asText();
      alerts.add(
          check.equals("quiet-topic")
              ? check + " " + json.get("status").asText()
              : check + " " + json.get("status").asText() + " window " + json.get("window_start").asText() + " observed " + json.get("observed").asDouble()
                  + " first fired " + json.get("first_fired_at").asText());
    }
    return alerts;
  }

  private static Map<String, Object> row(String check, String metric, String scope, int minute, double observed, Double min, Double max, String status, String severity) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("check_name", check);
    row.put("metric", metric);
    row.put("scope", scope);
    row.put("window_start", minute(minute));
    row.put("window_end", minute(minute + 1));
    row.put("observed", observed);
    row.put("expected_min", min);
    row.put("expected_max", max);
    row.put("status", status);
    row.put("severity", severity);
    return row;
  }
}
