package io.medallion.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * An alert as JSON on the alerts topic: {@code check}, {@code scope}, {@code window_start}, {@code
 * window_end}, {@code severity}, {@code observed}, {@code expected} ({@code min}, {@code max}),
 * {@code status} ({@code firing} or {@code resolved}) and {@code first_fired_at}. Keyed by check
 * and scope, so an alert's firing and its resolution land in one partition, in order.
 */
public final class AlertSerializer implements KafkaRecordSerializationSchema<QualityResult> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;

  public AlertSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(QualityResult result, KafkaSinkContext context, Long timestamp) {
    ObjectNode alert = JSON.createObjectNode();
    alert.put("check", result.check);
    alert.put("scope", result.scope);
    alert.put("window_start", Instant.ofEpochMilli(result.windowStart).toString());
    alert.put("window_end", Instant.ofEpochMilli(result.windowEnd).toString());
    alert.put("severity", result.severity);
    alert.put("metric", result.metric);
    alert.put("observed", result.observed);
    ObjectNode expected = alert.putObject("expected");
    expected.put("min", result.expectedMin);
    expected.put("max", result.expectedMax);
    alert.put("status", result.alert);
    alert.put("first_fired_at", Instant.ofEpochMilli(result.firstFiredAt).toString());
    byte[] key = (result.check + " " + result.scope).getBytes(StandardCharsets.UTF_8);
    // No explicit timestamp: the producer stamps the time of sending, so retention counts from the alert, not from the window.
    return new ProducerRecord<>(topic, null, null, key, alert.toString().getBytes(StandardCharsets.UTF_8));
  }
}
