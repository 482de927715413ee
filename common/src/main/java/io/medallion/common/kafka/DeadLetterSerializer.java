package io.medallion.common.kafka;

import io.medallion.common.deadletter.DeadLetter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a dead letter with its original key and value bytes and the {@code dlq.*} headers.
 *
 * <p>The record's Kafka timestamp is when the stage gave up on it ({@code dlq.failed.at}), not the
 * stream element's timestamp: that is the source record's or the event's time, which for a late
 * event or a rebuild from old bronze can be older than the topic's retention, and the broker would
 * delete the letter at its next retention check. The original time is in {@code dlq.source.timestamp}.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long elementTimestamp) {
    return new ProducerRecord<>(topic, null, letter.failedAt, letter.key, letter.value, letter.headers());
  }
}
