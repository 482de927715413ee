package io.medallion.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.kafka.Topics;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Live traffic at a fixed rate, for measuring freshness: the realistic mix of {@link
 * DataGenerator} (valid events of the four types on their raw topics, a share of bad records and
 * of re-sent duplicates), but on the wall clock. Each record's Kafka timestamp is the time it is
 * handed to the producer, and an event's time trails that by up to {@link
 * DataGenerator#MAX_DISORDER}, as a live system's events do.
 *
 * <p>Pacing follows a schedule: records go out in batches of one {@link #TICK} worth, and each
 * batch is due at {@code start + batchesSent × TICK}; a batch that is late goes at once, so a
 * short stall is made up, but batches more than {@link #MAX_BEHIND} late are skipped rather than
 * sent in a burst above the rate. The achieved rate is what was sent over the time it took. The Kafka timestamp of every record that landed is kept by partition and offset, so the
 * tables' rows can be traced back to the moment they were produced.
 */
final class LiveTraffic {
  static final Duration TICK = Duration.ofMillis(10);
  /** How far the producer may fall behind its schedule and still catch up; records due earlier are not sent. */
  static final Duration MAX_BEHIND = Duration.ofSeconds(1);

  /** One copy of a valid event, kept for re-sending as a duplicate. */
  private record Sample(String topic, byte[] key, byte[] value) {}

  /** What was sent, split at the end of the warm-up by each record's Kafka timestamp. */
  static final class Sent {
    long events;
    long duplicates;
    long bad;
    /** Records never sent: the producer was more than {@link #MAX_BEHIND} behind when they were due. */
    long skipped;
    long measuredEvents;
    long measuredDuplicates;
    long measuredBad;
    long firstMillis;
    long lastMillis;
    long measuredFirstNanos;
    long lastNanos;
    /** Kafka timestamp by topic-partition, indexed by offset (the topics are new, offsets start at 0). */
    final Map<TopicPartition, long[]> timestamps = new HashMap<>();
    final Map<TopicPartition, Integer> landed = new HashMap<>();

    long records() {
      return events + duplicates + bad;
    }

    long measuredRecords() {
      return measuredEvents + measuredDuplicates + measuredBad;
    }

    /** Records per second from the first record of the measured period to the last one. */
    double measuredRate() {
      return measuredRecords() / ((lastNanos - measuredFirstNanos) / 1e9);
    }

    /** When the record at this partition and offset was produced (its Kafka timestamp). */
    long producedAt(String topic, int partition, long offset) {
      TopicPartition at = new TopicPartition(topic, partition);
      if (offset >= landed.getOrDefault(at, 0)) {
        throw new IllegalStateException("no record was produced at " + at + " offset " + offset);
      }
      return timestamps.get(at)[(int) offset];
    }

    private void landed(TopicPartition at, long offset, long timestamp) {
      long[] times = timestamps.computeIfAbsent(at, p -> new long[1 << 16]);
      if (offset >= times.length) {
        times = Arrays.copyOf(times, (int) Math.max(offset + 1, times.length * 2L));
        timestamps.put(at, times);
      }
      times[(int) offset] = timestamp;
      landed.merge(at, (int) offset + 1, Math::max);
    }
  }

  private LiveTraffic() {}

  /**
   * Sends {@code ratePerSecond} records per second for {@code warmUp + duration}; returns when
   * every record is acknowledged, having closed the producer. Records with a Kafka timestamp from {@code warmUp} after the
   * first on count as measured.
   */
  static Sent run(
      KafkaProducer<byte[], byte[]> producer, double ratePerSecond, Duration warmUp, Duration duration, double badRatio, double duplicateRatio, long seed) {
    EventFactory events = new EventFactory(seed, Instant.now(), Duration.ZERO);
    SplittableRandom random = new SplittableRandom(seed);
    List<BadRecords.Bad> bad = BadRecords.bronze(events, 1).stream().filter(b -> b.code() != ErrorCode.RECORD_TOO_LARGE).toList();
    List<Sample> recent = new ArrayList<>();
    Sent sent = new Sent();
    AtomicReference<Exception> failed = new AtomicReference<>();
    double perTick = ratePerSecond * TICK.toNanos() / 1e9;
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    long measuredFrom = startMillis + warmUp.toMillis();
    long end = start + warmUp.plus(duration).toNanos();
    sent.firstMillis = startMillis;
    double owed = 0;
    for (long tick = 0; ; tick++) {
      long due = start + tick * TICK.toNanos();
      if (due >= end) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (-wait > MAX_BEHIND.toNanos()) {
        // Sending the debt in a burst would offer more than the rate: let the schedule go on without it.
        long skipped = -wait / TICK.toNanos();
        sent.skipped += Math.round(skipped * perTick);
        tick += skipped - 1;
        continue;
      }
      owed += perTick;
      for (; owed >= 1; owed--) {
        long now = System.currentTimeMillis();
        boolean measured = now >= measuredFrom;
        if (measured && sent.measuredFirstNanos == 0) {
          sent.measuredFirstNanos = System.nanoTime();
        }
        double pick = random.nextDouble() * (1 + badRatio + duplicateRatio);
        Sample sample;
        if (pick < 1 || recent.isEmpty()) {
          ObjectNode event = events.nextAt(Instant.ofEpochMilli(now - random.nextLong(DataGenerator.MAX_DISORDER.toMillis() + 1)));
          sample =
              new Sample(
                  Topics.RAW_TOPIC_BY_EVENT_TYPE.get(event.get("event_type").asText()),
                  event.get("event_id").asText().getBytes(StandardCharsets.UTF_8),
                  EventFactory.bytes(event));
          if (recent.size() < 1024) {
            recent.add(sample);
          } else {
            recent.set(random.nextInt(recent.size()), sample);
          }
          sent.events++;
          sent.measuredEvents += measured ? 1 : 0;
        } else if (pick < 1 + badRatio) {
          BadRecords.Bad record = bad.get(random.nextInt(bad.size()));
          sample = new Sample(Topics.RAW_TOPICS.get(random.nextInt(Topics.RAW_TOPICS.size())), null, record.value());
          sent.bad++;
          sent.measuredBad += measured ? 1 : 0;
        } else {
          sample = recent.get(random.nextInt(recent.size()));
          sent.duplicates++;
          sent.measuredDuplicates += measured ? 1 : 0;
        }
        // The callbacks run one at a time on the producer's I/O thread; close() joins it.
        producer.send(
            new ProducerRecord<>(sample.topic, null, now, sample.key, sample.value),
            (metadata, error) -> {
              if (error != null) {
                failed.compareAndSet(null, error);
              } else {
                sent.landed(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset(), metadata.timestamp());
              }
            });
        sent.lastMillis = now;
      }
    }
    sent.lastNanos = System.nanoTime();
    producer.close();
    if (failed.get() != null) {
      throw new IllegalStateException("a record could not be produced", failed.get());
    }
    return sent;
  }
}
