package io.medallion.common.kafka;

import io.medallion.common.audit.LedgerAudit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts the records of a partition between two offsets by reading them, as a read_committed
 * consumer sees them: transaction markers and aborted records take offsets but are no records.
 */
public final class KafkaRangeCounter implements LedgerAudit.KafkaRecords, AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration STALLED = Duration.ofSeconds(60);

  private final KafkaConsumer<byte[], byte[]> consumer;

  /** @param clientProperties bootstrap servers and security settings (security.protocol, sasl.*, ssl.*) */
  public KafkaRangeCounter(Map<String, String> clientProperties) {
    Properties properties = new Properties();
    properties.putAll(clientProperties);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public long count(String topic, int partition, long firstOffset, long lastOffset) {
    TopicPartition tp = new TopicPartition(topic, partition);
    consumer.assign(List.of(tp));
    consumer.seek(tp, firstOffset);
    // read_committed: the end offset is the last stable offset, past any marker of a committed range.
    long end = Math.min(lastOffset + 1, consumer.endOffsets(List.of(tp)).get(tp));
    long count = 0;
    long position = consumer.position(tp);
    long progressed = System.nanoTime();
    while (position < end) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
        if (record.offset() <= lastOffset) {
          count++;
        }
      }
      long now = consumer.position(tp);
      if (now > position) {
        position = now;
        progressed = System.nanoTime();
      } else if (System.nanoTime() - progressed > STALLED.toNanos()) {
        throw new IllegalStateException("Kafka gave no records of " + tp + " past offset " + position + " for " + STALLED.toSeconds() + " s");
      }
    }
    return count;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
