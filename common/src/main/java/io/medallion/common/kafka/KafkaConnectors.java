package io.medallion.common.kafka;

import io.medallion.common.config.ConfigOptions;
import io.medallion.common.config.JobConfig;
import io.medallion.common.config.StartingOffsets;
import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.event.RawRecord;
import java.util.List;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds the Kafka sources and exactly-once sinks of every job from its {@link JobConfig}, so that
 * offsets, isolation and transaction settings are decided in one place.
 */
public final class KafkaConnectors {

  private KafkaConnectors() {}

  /**
   * The raw-topic source: offsets live in Flink checkpoints (committed to Kafka on checkpoint only
   * for monitoring), transactional producers' aborted records are skipped, and {@code bounded=true}
   * stops at the offsets that are latest when the job starts.
   */
  public static KafkaSource<RawRecord> rawSource(JobConfig config) {
    KafkaSourceBuilder<RawRecord> builder = sourceBuilder(config, new RawRecordDeserializer());
    config.getOptional(ConfigOptions.KAFKA_TOPICS).ifPresent(builder::setTopics);
    config.getOptional(ConfigOptions.KAFKA_TOPIC_PATTERN).ifPresent(builder::setTopicPattern);
    return builder.build();
  }

  /** A source of other topics (the quality monitor's dead-letter topics) with the raw source's settings. */
  public static <T> KafkaSource<T> source(JobConfig config, List<String> topics, KafkaRecordDeserializationSchema<T> deserializer) {
    return sourceBuilder(config, deserializer).setTopics(topics).build();
  }

  private static <T> KafkaSourceBuilder<T> sourceBuilder(JobConfig config, KafkaRecordDeserializationSchema<T> deserializer) {
    KafkaSourceBuilder<T> builder =
        KafkaSource.<T>builder()
            .setBootstrapServers(config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS))
            .setGroupId(config.groupId())
            .setStartingOffsets(startingOffsets(config.get(ConfigOptions.KAFKA_STARTING_OFFSETS)))
            .setDeserializer(deserializer)
            .setProperties(clientProperties(config))
            .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "true")
            .setProperty(
                "partition.discovery.interval.ms",
                Long.toString(config.get(ConfigOptions.KAFKA_PARTITION_DISCOVERY).toMillis()));
    if (config.get(ConfigOptions.BOUNDED)) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder;
  }

  static OffsetsInitializer startingOffsets(StartingOffsets offsets) {
    return switch (offsets.mode()) {
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
      case COMMITTED_OR_EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case COMMITTED_OR_LATEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
      case TIMESTAMP -> OffsetsInitializer.timestamp(offsets.timestampMillis());
    };
  }

  /** The exactly-once dead-letter sink of a job, writing to {@link JobConfig#dlqTopic()}. */
  public static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
    return exactlyOnceSink(config, "dlq", new DeadLetterSerializer(config.dlqTopic()));
  }

  /**
   * A transactional sink: records become visible to {@code read_committed} readers when the
   * checkpoint that covers them completes. The transaction timeout stays below the broker's
   * maximum (shared/PITFALLS.md). The transactional id prefix is the consumer group id (the job
   * name unless configured) and the purpose: two deployments of a job on one Kafka cluster, which
   * need their own group ids anyway, must not share transactional ids, or one deployment's start
   * fences and aborts the other's transactions.
   */
  public static <T> KafkaSink<T> exactlyOnceSink(
      JobConfig config, String purpose, KafkaRecordSerializationSchema<T> serializer) {
    Properties producer = clientProperties(config);
    producer.setProperty(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(config.get(ConfigOptions.KAFKA_TRANSACTION_TIMEOUT).toMillis()));
    producer.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Readers see nothing before the checkpoint commits the transaction, so lingering costs no
    // visible latency; without it, sparse dead letters each went out as their own produce request.
    producer.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "100");
    return KafkaSink.<T>builder()
        .setBootstrapServers(config.get(ConfigOptions.KAFKA_BOOTSTRAP_SERVERS))
        .setKafkaProducerConfig(producer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.groupId() + "-" + purpose)
        .setRecordSerializer(serializer)
        .build();
  }

  /** The pass-through {@code kafka.properties.*} (security.protocol, sasl.*, ssl.*, …). */
  public static Properties clientProperties(JobConfig config) {
    Properties properties = new Properties();
    properties.putAll(config.withPrefix(ConfigOptions.KAFKA_PROPERTIES_PREFIX));
    return properties;
  }
}
