package io.medallion.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.kafka.Topics;
import io.medallion.testkit.BadRecords;
import io.medallion.testkit.EventFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a realistic mix of raw events: valid events of all four types to their raw topics, a
 * share of bad records (one of every bronze error kind) and a share of exact duplicates.
 *
 * <p>The records replay ten minutes of traffic in the time it takes to send them: event times
 * advance with the sending order over {@link #EVENT_TIME_SPAN}, and each record's Kafka timestamp
 * is that replayed clock, so records arrive up to {@link #MAX_DISORDER} after their event time
 * (a small event-time lag) and one-minute windows of Kafka time hold a minute of traffic each.
 */
final class DataGenerator {

  /**
   * @param events how many distinct events; all valid, unless an incident breaks some
   * @param ratePerSecond records per second, 0 for as fast as possible
   * @param badRatio bad records per event
   * @param duplicateRatio re-sent events per event
   * @param topic one topic for everything, or null for one raw topic per event type
   * @param tooLargeBytes size of the RECORD_TOO_LARGE samples, 0 for none
   * @param incident a stretch of broken events, or null for none
   * @param eventTimeSpan how much time the event times replay; that much before the run, to its start
   */
  record Plan(
      long events,
      double ratePerSecond,
      double badRatio,
      double duplicateRatio,
      long seed,
      String topic,
      int tooLargeBytes,
      Incident incident,
      Duration eventTimeSpan) {

    /** A plan that replays the default {@link #EVENT_TIME_SPAN}. */
    Plan(long events, double ratePerSecond, double badRatio, double duplicateRatio, long seed, String topic, int tooLargeBytes, Incident incident) {
      this(events, ratePerSecond, badRatio, duplicateRatio, seed, topic, tooLargeBytes, incident, EVENT_TIME_SPAN);
    }

    /**
     * The events that, with their share of bad records and duplicates, make {@code records} records
     * (fewer by rounding, never more).
     */
    static long eventsFor(long records, double badRatio, double duplicateRatio) {
      return (long) Math.floor(records / (1 + badRatio + duplicateRatio));
    }
  }

  /**
   * A producer bug replayed: from {@code from} to {@code to} into the stream, {@code brokenShare}
   * of the events of {@code eventType} are sent cut off halfway, as a broken serializer would send
   * them. The volume stays the same; the broken events are bad records (MALFORMED_JSON), not events.
   * And at {@code silentAt} into the stream the producers stop for {@code silence} of wall-clock
   * time, then go on where they were: nothing is lost, but every topic is silent meanwhile.
   */
  record Incident(String eventType, Duration from, Duration to, double brokenShare, Duration silentAt, Duration silence) {
    boolean covers(String type, Duration intoStream) {
      return type.equals(eventType) && intoStream.compareTo(from) >= 0 && intoStream.compareTo(to) < 0;
    }
  }

  /** What was sent, for reconciling with what the jobs wrote. */
  static final class Sent {
    final AtomicLong records = new AtomicLong();
    final AtomicLong valid = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final Map<ErrorCode, AtomicLong> badByCode = new EnumMap<>(ErrorCode.class);

    long bad() {
      return badByCode.values().stream().mapToLong(AtomicLong::get).sum();
    }
  }

  /**
   * The event times of a run span ten minutes that start on the minute, ten to eleven minutes before
   * the run: one-minute windows of the replay hold a whole minute of traffic each, the first included.
   */
  static final Duration EVENT_TIME_SPAN = Duration.ofMinutes(10);
  /** How far an event time may lag behind the one of the event sent before it. */
  static final Duration MAX_DISORDER = Duration.ofSeconds(2);

  private record Sample(String topic, byte[] key, byte[] value) {}

  private DataGenerator() {}

  static long expectedRecords(Plan plan) {
    return plan.events + Math.round(plan.events * plan.badRatio) + Math.round(plan.events * plan.duplicateRatio);
  }

  /** Sends the plan's records through the producer; returns when all are acknowledged, throws if one was not. */
  static void run(KafkaProducer<byte[], byte[]> producer, Plan plan, Sent sent) {
    AtomicReference<Exception> failure = new AtomicReference<>();
    Callback acknowledged =
        (metadata, exception) -> {
          if (exception != null) {
            failure.compareAndSet(null, exception);
          }
        };
    Duration span = plan.eventTimeSpan;
    Instant firstEventTime = Instant.now().minus(span).truncatedTo(ChronoUnit.MINUTES);
    EventFactory events = new EventFactory(plan.seed, firstEventTime, span);
    SplittableRandom random = new SplittableRandom(plan.seed);
    List<BadRecords.Bad> badKinds =
        BadRecords.bronze(events, Math.max(plan.tooLargeBytes, 1)).stream()
            .filter(bad -> plan.tooLargeBytes > 0 || bad.code() != ErrorCode.RECORD_TOO_LARGE)
            .toList();
    long badTotal = Math.round(plan.events * plan.badRatio);
    long duplicateTotal = Math.round(plan.events * plan.duplicateRatio);
    long total = plan.events + badTotal + duplicateTotal;
    List<Sample> recent = new ArrayList<>();
    long eventsSent = 0;
    long badSent = 0;
    long duplicatesSent = 0;
    long start = System.nanoTime();
    boolean silenced = false;
    for (long i = 0; i < total; i++) {
      long remaining = total - i;
      double pick = random.nextDouble() * remaining;
      // The replayed clock advances with every record sent, and stays within the span: gold's
      // windows (event time) and the quality monitor's (Kafka time) close as the stream moves on.
      Instant now = firstEventTime.plusMillis(span.toMillis() * i / total);
      if (plan.incident != null && !silenced && Duration.between(firstEventTime, now).compareTo(plan.incident.silentAt()) >= 0) {
        silenced = true;
        producer.flush();
        LockSupport.parkNanos(plan.incident.silence().toNanos());
      }
      Sample sample;
      if (pick < plan.events - eventsSent) {
        // A little out of order, as events of a live system arrive.
        // Never before the span's first minute: its windows are the ones a replay fills.
        Instant eventTime = now.minusMillis(random.nextLong(MAX_DISORDER.toMillis() + 1));
        ObjectNode event = events.nextAt(eventTime.isBefore(firstEventTime) ? firstEventTime : eventTime);
        String type = event.get("event_type").asText();
        String topic = plan.topic != null ? plan.topic : Topics.RAW_TOPIC_BY_EVENT_TYPE.get(type);
        byte[] key = event.get("event_id").asText().getBytes(StandardCharsets.UTF_8);
        byte[] value = EventFactory.bytes(event);
        eventsSent++;
        if (plan.incident != null
            && plan.incident.covers(type, Duration.between(firstEventTime, now))
            && random.nextDouble() < plan.incident.brokenShare()) {
          sample = new Sample(topic, key, Arrays.copyOf(value, value.length / 2));
          sent.badByCode.computeIfAbsent(ErrorCode.MALFORMED_JSON, c -> new AtomicLong()).incrementAndGet();
        } else {
          sample = new Sample(topic, key, value);
          sent.valid.incrementAndGet();
          if (recent.size() < 1024) {
            recent.add(sample);
          } else {
            recent.set(random.nextInt(recent.size()), sample);
          }
        }
      } else if (pick < plan.events - eventsSent + badTotal - badSent || recent.isEmpty()) {
        BadRecords.Bad bad = badKinds.get(random.nextInt(badKinds.size()));
        String topic = plan.topic != null ? plan.topic : Topics.RAW_TOPICS.get(random.nextInt(Topics.RAW_TOPICS.size()));
        sample = new Sample(topic, ("bad-" + i).getBytes(StandardCharsets.UTF_8), bad.value());
        badSent++;
        sent.badByCode.computeIfAbsent(bad.code(), c -> new AtomicLong()).incrementAndGet();
      } else {
        sample = recent.get(random.nextInt(recent.size()));
        duplicatesSent++;
        sent.duplicates.incrementAndGet();
      }
      producer.send(new ProducerRecord<>(sample.topic, null, now.toEpochMilli(), sample.key, sample.value), acknowledged);
      sent.records.incrementAndGet();
      pace(plan.ratePerSecond, i + 1, start);
      if (failure.get() != null) {
        break;
      }
    }
    producer.flush();
    if (failure.get() != null) {
      throw new IllegalStateException("the broker did not take every record sent", failure.get());
    }
  }

  private static void pace(double ratePerSecond, long sentSoFar, long startNanos) {
    if (ratePerSecond <= 0) {
      return;
    }
    long due = startNanos + (long) (sentSoFar / ratePerSecond * 1e9);
    long wait = due - System.nanoTime();
    if (wait > 1_000_000) {
      LockSupport.parkNanos(wait);
    }
  }
}
