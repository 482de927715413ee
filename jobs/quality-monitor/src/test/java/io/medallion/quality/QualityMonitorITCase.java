package io.medallion.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.config.JobConfig;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.flink.JobEnvironment;
import io.medallion.common.iceberg.IcebergCatalogs;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.JobSettings;
import io.medallion.testkit.KafkaBroker;
import io.medallion.testkit.KafkaBrokerExtension;
import io.medallion.testkit.MiniClusters;
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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class QualityMonitorITCase {
  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.extension();
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dir;

  private static final String RAW = "raw.q-events";
  private static final String DLQ = "dlq.q-silver";
  private static final String ALERTS = "q-alerts";
  private static final String SCOPE = "topic=raw.q-events,event_type=*";
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CHECKS =
      """
      checks:
        - name: valid-ratio
          scope: {topic: raw.q-events}
          metric: valid_ratio
          threshold: {min: 0.9}
        - name: volume
          scope: {topic: raw.q-events}
          metric: record_count
          anomaly: {method: relative-change, max-change: 0.5}
          severity: warn
        - name: dead-letters
          scope: {topic: raw.q-events}
          metric: dead_letter_rate
          threshold: {max: 0.05}
      """;

  private static Instant window(int minute) {
    return T0.plusSeconds(60L * minute);
  }

  /**
   * Six one-minute windows of raw records: 20 valid events each, except a 30 % invalid burst in
   * minute 1 (6 of 20 break a silver rule) and a volume drop to 5 in minute 3. Two dead letters of
   * minute-1 records arrive on the dead-letter topic.
   */
  private static List<ProducerRecord<byte[], byte[]>> rawRecords() {
    EventFactory events = new EventFactory(11, T0, Duration.ZERO);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    int[] counts = {20, 20, 20, 5, 20, 20};
    for (int minute = 0; minute < counts.length; minute++) {
      for (int i = 0; i < counts[minute]; i++) {
        Instant recorded = window(minute).plusSeconds(2L * i + 1);
        ObjectNode event = events.next("transaction", recorded.minusSeconds(1));
        if (minute == 1 && i < 6) {
          ((ObjectNode) event.get("payload")).put("amount", -5);
        }
        records.add(new ProducerRecord<>(RAW, 0, recorded.toEpochMilli(), null, EventFactory.bytes(event)));
      }
    }
    return records;
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
    Map<String, String> settings = JobSettings.local(KAFKA.broker().bootstrapServers(), dir, "1s", MiniClusters.PARALLELISM);
    settings.put("kafka.topics", RAW);
    settings.put("quality.checks", checks.toString());
    settings.put("quality.dead-letter-topics", DLQ);
    settings.put("quality.alerts-topic", ALERTS);
    settings.put("bounded", "true");
    return JobConfig.of(QualityMonitorJob.SPEC, settings);
  }

  @Test
  void judgesEveryCheckPerWindowAndAlertsOnlyOnTransitions() throws Exception {
    KafkaBroker kafka = KAFKA.broker();
    kafka.createTopics(1, RAW, DLQ, ALERTS);
    kafka.produce(rawRecords());
    kafka.produce(List.of(deadLetter(window(1).plusSeconds(3)), deadLetter(window(1).plusSeconds(40))));

    JobConfig config = config();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobEnvironment.flinkConfiguration(config));
    QualityMonitorJob.define(env, config);
    env.execute("quality-monitor-it");

    List<Map<String, Object>> expected = new ArrayList<>();
    double[] valid = {1, 0.7, 1, 1, 1, 1};
    double[] volume = {20, 20, 20, 5, 20, 20};
    double[] letters = {0, 0.1, 0, 0, 0, 0};
    for (int minute = 0; minute < 6; minute++) {
      expected.add(row("valid-ratio", "valid_ratio", minute, valid[minute], 0.9, null, valid[minute] < 0.9 ? "fail" : "ok", "fail"));
      Double[] range = minute == 0 ? new Double[] {null, null} : new Double[] {volume[minute - 1] * 0.5, volume[minute - 1] * 1.5};
      boolean volumeFails = minute == 3 || minute == 4;
      expected.add(row("volume", "record_count", minute, volume[minute], range[0], range[1], volumeFails ? "warn" : "ok", "warn"));
      expected.add(row("dead-letters", "dead_letter_rate", minute, letters[minute], null, 0.05, letters[minute] > 0.05 ? "fail" : "ok", "fail"));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Record record : IcebergTables.readAll(IcebergCatalogs.loader(config).loadCatalog(), QualityMetricsTable.IDENTIFIER)) {
      rows.add(plain(record));
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);

    List<String> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> alert : kafka.readCommitted(ALERTS)) {
      JsonNode json = JSON.readTree(alert.value());
      assertThat(new String(alert.key(), StandardCharsets.UTF_8)).isEqualTo(json.get("check").asText() + " " + SCOPE);
      assertThat(json.get("scope").asText()).isEqualTo(SCOPE);
      alerts.add(json.get("check").asText() + " " + json.get("status").asText() + " window " + json.get("window_start").asText()
          + " observed " + json.get("observed").asDouble() + " first fired " + json.get("first_fired_at").asText());
    }
    assertThat(alerts)
        .containsExactlyInAnyOrder(
            "valid-ratio firing window " + window(1) + " observed 0.7 first fired " + window(2),
            "valid-ratio resolved window " + window(2) + " observed 1.0 first fired " + window(2),
            "dead-letters firing window " + window(1) + " observed 0.1 first fired " + window(2),
            "dead-letters resolved window " + window(2) + " observed 0.0 first fired " + window(2),
            "volume firing window " + window(3) + " observed 5.0 first fired " + window(4),
            "volume resolved window " + window(5) + " observed 20.0 first fired " + window(4));
  }

  private static Map<String, Object> row(String check, String metric, int minute, double observed, Double min, Double max, String status, String severity) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("check_name", check);
    row.put("metric", metric);
    row.put("scope", SCOPE);
    row.put("window_start", window(minute));
    row.put("window_end", window(minute + 1));
    row.put("observed", observed);
    row.put("expected_min", min);
    row.put("expected_max", max);
    row.put("status", status);
    row.put("severity", severity);
    return row;
  }

  private static Map<String, Object> plain(Record record) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (var field : QualityMetricsTable.SCHEMA.columns()) {
      Object value = record.getField(field.name());
      row.put(field.name(), value instanceof OffsetDateTime time ? time.toInstant() : value instanceof CharSequence text ? text.toString() : value);
    }
    return row;
  }
}
