package io.medallion.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.quality.QualityMetricsTable;
import io.medallion.testkit.EventFactory;
import io.medallion.testkit.IcebergTables;
import io.medallion.testkit.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The defects the quality ITCases inject into six one-minute windows of a raw topic, and what the
 * three checks of {@link #CHECKS} must make of them, computed here once: 20 valid events a minute,
 * except a 30 % invalid burst in minute 1 (6 of 20 break the amount rule) with two dead letters,
 * and a volume drop to 5 in minute 3.
 */
final class DefectScenario {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final int MINUTES = 6;
  private static final int[] COUNTS = {20, 20, 20, 5, 20, 20};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** valid ratio (min 0.9, fail), volume (relative change 50 %, warn), dead-letter rate (max 0.05, fail) of the raw topic. */
  static String checks(String rawTopic) {
    return """
        checks:
          - name: valid-ratio
            scope: {topic: %1$s}
            metric: valid_ratio
            threshold: {min: 0.9}
          - name: volume
            scope: {topic: %1$s}
            metric: record_count
            anomaly: {method: relative-change, max-change: 0.5}
            severity: warn
          - name: dead-letters
            scope: {topic: %1$s}
            metric: dead_letter_rate
            threshold: {max: 0.05}
        """
        .formatted(rawTopic);
  }

  private final String rawTopic;
  private final String dlqTopic;
  private final EventFactory events;

  DefectScenario(String rawTopic, String dlqTopic, long seed) {
    this.rawTopic = rawTopic;
    this.dlqTopic = dlqTopic;
    this.events = new EventFactory(seed, T0, Duration.ZERO);
  }

  static Instant minute(int minute) {
    return T0.plusSeconds(60L * minute);
  }

  String scope() {
    return "topic=" + rawTopic + ",event_type=*";
  }

  /** The raw records of minutes [from, to); {@code metricEventsInMinute4} of minute 4's 20 are metric events. */
  List<ProducerRecord<byte[], byte[]>> rawRecords(int from, int to, int metricEventsInMinute4) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int minute = from; minute < to; minute++) {
      for (int i = 0; i < COUNTS[minute]; i++) {
        ObjectNode event = events.next(minute == 4 && i < metricEventsInMinute4 ? "metric" : "transaction", minute(minute).plusSeconds(2L * i));
        if (minute == 1 && i < 6) {
          ((ObjectNode) event.get("payload")).put("amount", -5);
        }
        records.add(record(rawTopic, minute(minute).plusSeconds(2L * i + 1), event));
      }
    }
    return records;
  }

  /** A valid event recorded at {@code recorded}. */
  ProducerRecord<byte[], byte[]> event(String topic, Instant recorded) {
    return record(topic, recorded, events.next("transaction", recorded));
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, Instant recorded, ObjectNode event) {
    return new ProducerRecord<>(topic, 0, recorded.toEpochMilli(), null, EventFactory.bytes(event));
  }

  /** The two dead letters of minute-1 records, each failed 5 s after its record (its Kafka timestamp, the monitor's event time). */
  List<ProducerRecord<byte[], byte[]>> deadLetters() {
    List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
    for (Instant sourceTime : List.of(minute(1).plusSeconds(3), minute(1).plusSeconds(40))) {
      ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(dlqTopic, 0, sourceTime.plusSeconds(5).toEpochMilli(), null, "{oops".getBytes(StandardCharsets.UTF_8));
      letter.headers().add(new RecordHeader(DeadLetterHeaders.ERROR_CODE, "MALFORMED_JSON".getBytes(StandardCharsets.UTF_8)));
      letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TOPIC, rawTopic.getBytes(StandardCharsets.UTF_8)));
      letter.headers().add(new RecordHeader(DeadLetterHeaders.SOURCE_TIMESTAMP, sourceTime.toString().getBytes(StandardCharsets.UTF_8)));
      letters.add(letter);
    }
    return letters;
  }

  /** The rows of quality.metrics the three checks must write, one per check per window. */
  List<Map<String, Object>> expectedRows() {
    List<Map<String, Object>> expected = new ArrayList<>();
    double[] valid = {1, 0.7, 1, 1, 1, 1};
    double[] letters = {0, 0.1, 0, 0, 0, 0};
    for (int m = 0; m < MINUTES; m++) {
      expected.add(row("valid-ratio", "valid_ratio", scope(), m, valid[m], 0.9, null, valid[m] < 0.9 ? "fail" : "ok", "fail"));
      Double min = m == 0 ? null : COUNTS[m - 1] * 0.5;
      Double max = m == 0 ? null : COUNTS[m - 1] * 1.5;
      expected.add(row("volume", "record_count", scope(), m, COUNTS[m], min, max, m == 3 || m == 4 ? "warn" : "ok", "warn"));
      expected.add(row("dead-letters", "dead_letter_rate", scope(), m, letters[m], null, 0.05, letters[m] > 0.05 ? "fail" : "ok", "fail"));
    }
    return expected;
  }

  /** The alerts the three checks must raise: each fires once and resolves once. */
  static List<String> expectedAlerts() {
    return List.of(
        "valid-ratio firing window " + minute(1) + " observed 0.7 first fired " + minute(2),
        "valid-ratio resolved window " + minute(2) + " observed 1.0 first fired " + minute(2),
        "dead-letters firing window " + minute(1) + " observed 0.1 first fired " + minute(2),
        "dead-letters resolved window " + minute(2) + " observed 0.0 first fired " + minute(2),
        "volume firing window " + minute(3) + " observed 5.0 first fired " + minute(4),
        "volume resolved window " + minute(5) + " observed 20.0 first fired " + minute(4));
  }

  static Map<String, Object> row(String check, String metric, String scope, int minute, double observed, Double min, Double max, String status, String severity) {
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

  /** The windowed rows of quality.metrics, as plain values (freshness rows are wall-clock and left out). */
  static List<Map<String, Object>> windowRows(Catalog catalog) {
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

  /** Committed alerts, keyed by check and scope; freshness alerts without their wall-clock times. */
  static List<String> alerts(KafkaBroker kafka, String topic) throws IOException {
    List<String> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> alert : kafka.readCommitted(topic)) {
      JsonNode json = JSON.readTree(alert.value());
      String check = json.get("check").asText();
      if (!new String(alert.key(), StandardCharsets.UTF_8).equals(check + " " + json.get("scope").asText())) {
        throw new AssertionError("alert key " + new String(alert.key(), StandardCharsets.UTF_8) + " does not name its check and scope");
      }
      alerts.add(
          json.get("metric").asText().equals("freshness")
              ? check + " " + json.get("status").asText()
              : check + " " + json.get("status").asText() + " window " + json.get("window_start").asText() + " observed " + json.get("observed").asDouble()
                  + " first fired " + json.get("first_fired_at").asText());
    }
    return alerts;
  }
}
