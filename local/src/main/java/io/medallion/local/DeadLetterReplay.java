package io.medallion.local;

import io.medallion.common.deadletter.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-publishes dead letters to a raw topic: reads the dead-letter topic from its beginning to the
 * end offsets of the moment it starts ({@code read_committed}), and sends each selected letter's
 * original key and value, in one Kafka transaction, so a failed or fenced replay publishes nothing.
 *
 * <p>The replayed record carries only {@link DeadLetterHeaders#REPLAYED_FROM}: the {@code dlq.*}
 * reasons describe the old failure, and if the record fails again its new dead letter must not
 * carry two {@code dlq.error.code} headers of which readers take the last.
 */
final class DeadLetterReplay {
  /** The Kafka timestamp of a replayed record. */
  enum Timestamps {
    /**
     * The original record's ({@code dlq.source.timestamp}): silver judges the timestamp range
     * against it, so the replay gets the verdict the original would get under today's rules.
     */
    SOURCE,
    /** The time of the replay: for raw topics whose retention would delete an old timestamp at once. */
    NOW
  }

  /** What a replay did (or, dry, would do): replayed letters by error code and skipped ones. */
  record Summary(String from, String to, boolean dryRun, SortedMap<String, Long> replayedByCode, long filtered, long notReplayable) {
    long replayed() {
      return replayedByCode.values().stream().mapToLong(Long::longValue).sum();
    }

    /** E.g. {@code replayed 12 records from dlq.silver to raw.events: INVALID_FIELD 10, MISSING_FIELD 2; skipped 3 (filters)}. */
    String text() {
      StringBuilder text = new StringBuilder(dryRun ? "would replay " : "replayed ");
      long replayed = replayed();
      text.append(replayed).append(replayed == 1 ? " record" : " records").append(" from ").append(from).append(" to ").append(to);
      String separator = ": ";
      for (Map.Entry<String, Long> code : replayedByCode.entrySet()) {
        text.append(separator).append(code.getKey()).append(' ').append(code.getValue());
        separator = ", ";
      }
      text.append("; skipped ").append(filtered).append(" (filters)");
      if (notReplayable > 0) {
        text.append(", ").append(notReplayable).append(" (not replayable: gold dead letters or records without dlq.error.code)");
      }
      return text.toString();
    }
  }

  private DeadLetterReplay() {}

  /**
   * Replays {@code from} to {@code to}. {@code clientProperties} (security settings and the like)
   * go to both clients; bootstrap servers, serializers and transactional settings are fixed.
   * {@code stallTimeout} bounds the wait for progress while reading, not the whole replay.
   */
  static Summary run(
      String bootstrapServers,
      Properties clientProperties,
      String from,
      String to,
      DeadLetterFilter filter,
      Timestamps timestamps,
      boolean dryRun,
      Duration stallTimeout) {
    SortedMap<String, Long> replayedByCode = new TreeMap<>();
    long filtered = 0;
    long notReplayable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerProperties(bootstrapServers, clientProperties), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitionsOf(consumer, from, stallTimeout);
      partitionsOf(consumer, to, stallTimeout);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // With read_committed these are the last stable offsets: letters of open transactions wait for the next replay.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, stallTimeout);
      KafkaProducer<byte[], byte[]> producer =
          dryRun ? null : new KafkaProducer<>(producerProperties(bootstrapServers, clientProperties, from, to), new ByteArraySerializer(), new ByteArraySerializer());
      try {
        if (producer != null) {
          producer.initTransactions();
          producer.beginTransaction();
        }
        // Partitions not yet read to their end offset, with the position last seen; skipping
        // aborted batches or transaction markers is progress too, though it returns no records.
        Map<TopicPartition, Long> behind = new HashMap<>();
        partitions.forEach(partition -> behind.put(partition, -1L));
        long lastProgress = System.nanoTime();
        while (true) {
          if (advance(consumer, behind, end)) {
            lastProgress = System.nanoTime();
          } else if (System.nanoTime() - lastProgress > stallTimeout.toNanos()) {
            throw new IllegalStateException("reading " + from + " made no progress towards its end offsets " + end + " for " + stallTimeout);
          }
          if (behind.isEmpty()) {
            break;
          }
          for (ConsumerRecord<byte[], byte[]> letter : consumer.poll(Duration.ofMillis(500))) {
            if (letter.offset() >= end.get(new TopicPartition(letter.topic(), letter.partition()))) {
              continue;
            }
            switch (filter.judge(letter.headers(), letter.timestamp())) {
              case REPLAY -> {
                if (producer != null) {
                  producer.send(replayed(letter, to, timestamps));
                }
                replayedByCode.merge(DeadLetterFilter.text(letter.headers(), DeadLetterHeaders.ERROR_CODE), 1L, Long::sum);
              }
              case FILTERED -> filtered++;
              case NOT_REPLAYABLE -> notReplayable++;
            }
          }
        }
        if (producer != null) {
          // Fails if any send failed: then nothing of this replay becomes visible.
          producer.commitTransaction();
        }
      } catch (RuntimeException e) {
        if (producer != null) {
          try {
            producer.abortTransaction();
          } catch (RuntimeException abortFailed) {
            e.addSuppressed(abortFailed);
          }
        }
        throw e;
      } finally {
        if (producer != null) {
          producer.close();
        }
      }
    }
    return new Summary(from, to, dryRun, replayedByCode, filtered, notReplayable);
  }

  /** The record that replays {@code letter} to {@code to}: its original key and value, unchanged. */
  static ProducerRecord<byte[], byte[]> replayed(ConsumerRecord<byte[], byte[]> letter, String to, Timestamps timestamps) {
    Long timestamp = timestamps == Timestamps.SOURCE ? sourceTimestamp(letter) : null;
    String origin = letter.topic() + "/" + letter.partition() + "/" + letter.offset();
    return new ProducerRecord<>(
        to, null, timestamp, letter.key(), letter.value(),
        List.of(new RecordHeader(DeadLetterHeaders.REPLAYED_FROM, origin.getBytes(StandardCharsets.UTF_8))));
  }

  /** {@code dlq.source.timestamp}, or null (the producer's clock) when a letter lacks it. */
  private static Long sourceTimestamp(ConsumerRecord<byte[], byte[]> letter) {
    String text = DeadLetterFilter.text(letter.headers(), DeadLetterHeaders.SOURCE_TIMESTAMP);
    try {
      return text == null ? null : Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Drops the partitions that reached their end from {@code behind}; true if any position moved. */
  private static boolean advance(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> behind, Map<TopicPartition, Long> end) {
    boolean advanced = false;
    for (var it = behind.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<TopicPartition, Long> partition = it.next();
      long position = consumer.position(partition.getKey());
      if (position > partition.getValue()) {
        advanced = true;
        partition.setValue(position);
      }
      if (position >= end.get(partition.getKey())) {
        consumer.pause(List.of(partition.getKey()));
        it.remove();
      }
    }
    return advanced;
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalArgumentException("topic " + topic + " does not exist");
    }
    return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
  }

  private static Properties consumerProperties(String bootstrapServers, Properties clientProperties) {
    Properties props = new Properties();
    props.putAll(clientProperties);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "medallion-dlq-replay");
    return props;
  }

  private static Properties producerProperties(String bootstrapServers, Properties clientProperties, String from, String to) {
    Properties props = new Properties();
    // Kafka's default broker maximum (transaction.max.timeout.ms); a replay's one transaction may be large.
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "900000");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.putAll(clientProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // One id per (dead-letter topic, target): a second replay of the same pair fences a stuck first one.
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "medallion-dlq-replay-" + from + "-" + to);
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "medallion-dlq-replay");
    return props;
  }
}
