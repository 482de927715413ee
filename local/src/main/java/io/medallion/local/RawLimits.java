package io.medallion.local;

import io.medallion.common.event.EnvelopeDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the machine can do without Flink on the same topic: plain Kafka consumers reading every
 * record, and the same consumers decoding each record with the jobs' own decoder, no sink. One
 * consumer thread per partition, as the jobs read with one source reader per partition.
 */
final class RawLimits {
  /** Records per second of a run, from the first record polled to the last. */
  record Rates(double consumed, double decoded) {}

  private RawLimits() {}

  static Rates measure(String bootstrapServers, String topic, int partitions, long maxRecordBytes) throws Exception {
    double consumed = read(bootstrapServers, topic, partitions, null);
    double decoded = read(bootstrapServers, topic, partitions, new EnvelopeDecoder(maxRecordBytes));
    return new Rates(consumed, decoded);
  }

  /** Reads every partition to its end in parallel; returns records per second over all of them. */
  private static double read(String bootstrapServers, String topic, int partitions, EnvelopeDecoder decoder) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(partitions);
    try {
      long start = System.nanoTime();
      List<Future<Long>> counts = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        TopicPartition partition = new TopicPartition(topic, p);
        counts.add(threads.submit(() -> readPartition(bootstrapServers, partition, decoder)));
      }
      long records = 0;
      for (Future<Long> count : counts) {
        records += count.get();
      }
      return records / ((System.nanoTime() - start) / 1e9);
    } finally {
      threads.shutdownNow();
    }
  }

  private static long readPartition(String bootstrapServers, TopicPartition partition, EnvelopeDecoder decoder) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      long records = 0;
      while (consumer.position(partition) < end) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          records++;
          if (decoder != null) {
            decoder.decode(record.value());
          }
        }
      }
      return records;
    }
  }
}
