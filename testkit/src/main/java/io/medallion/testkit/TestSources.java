package io.medallion.testkit;

import io.medallion.common.event.RawRecord;
import io.medallion.common.kafka.RawRecordDeserializer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Sources and settings of failover tests, whose jobs must end by themselves after a restart. */
public final class TestSources {

  private TestSources() {}

  /**
   * A raw-record source on an empty topic that stops once it has read {@code willBeProduced}:
   * the end offsets are counted per partition, so the test can produce in several batches while
   * the job runs and still get a job that finishes.
   */
  public static KafkaSource<RawRecord> rawUntil(
      KafkaBroker kafka, String topic, String groupId, Collection<ProducerRecord<byte[], byte[]>> willBeProduced) {
    return until(kafka, topic, groupId, willBeProduced, new RawRecordDeserializer());
  }

  /** As {@link #rawUntil}, with any deserializer (e.g. of dead letters). */
  public static <T> KafkaSource<T> until(
      KafkaBroker kafka,
      String topic,
      String groupId,
      Collection<ProducerRecord<byte[], byte[]>> willBeProduced,
      KafkaRecordDeserializationSchema<T> deserializer) {
    return KafkaSource.<T>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setBounded(OffsetsInitializer.offsets(endOffsets(topic, willBeProduced)))
        .setDeserializer(deserializer)
        .setProperty("isolation.level", "read_committed")
        .build();
  }

  /**
   * Whether the source of group {@code groupId} has read {@code topic} to the end of {@code
   * produced}: its offsets, committed to Kafka when a checkpoint completes, have reached it.
   */
  public static boolean readToTheEnd(KafkaBroker kafka, String groupId, String topic, Collection<ProducerRecord<byte[], byte[]>> produced)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    for (Map.Entry<TopicPartition, Long> end : endOffsets(topic, produced).entrySet()) {
      OffsetAndMetadata offset = committed.get(end.getKey());
      if (offset == null || offset.offset() < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Map<TopicPartition, Long> endOffsets(String topic, Collection<ProducerRecord<byte[], byte[]>> records) {
    Map<TopicPartition, Long> endOffsets = new HashMap<>();
    for (ProducerRecord<byte[], byte[]> record : records) {
      endOffsets.merge(new TopicPartition(topic, record.partition()), 1L, Long::sum);
    }
    return endOffsets;
  }

  /** Turns restarts on for one job (the test cluster has them off): fixed delay, a few attempts. */
  public static Configuration withRestarts(Configuration jobConfiguration, int attempts) {
    jobConfiguration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    jobConfiguration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
    jobConfiguration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    return jobConfiguration;
  }
}
