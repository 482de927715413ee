package io.medallion.common.kafka;

import io.medallion.common.deadletter.DeadLetter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a dead letter with its original key and value bytes and the {@code dlq.*} headers. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(topic, null, timestamp, letter.key, letter.value, letter.headers());
  }
}
