package io.medallion.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.deadletter.DeadLetter;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.RawRecord;
import io.medallion.common.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
  private static final Instant EVENT_TIME = Instant.parse("2026-11-01T10:02:05Z");
  private static final Instant FAILED_AT = Instant.parse("2026-12-02T12:00:00.250Z");

  @Test
  void stampsTheRecordWithTheFailureTimeSoRetentionCountsFromTheFailureNotFromTheEvent() {
    RawRecord late = new RawRecord("silver.user_actions", 0, 201L, EVENT_TIME.toEpochMilli(), "e-201".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
    DeadLetter letter = DeadLetter.of(late, Rejection.of(ErrorCode.LATE_EVENT, "too late"), Stage.GOLD, "gold-aggregate", FAILED_AT);

    // The element's timestamp is the event time, a month before the failure.
    ProducerRecord<byte[], byte[]> record = new DeadLetterSerializer("dlq.gold").serialize(letter, null, EVENT_TIME.toEpochMilli());

    assertThat(record.topic()).isEqualTo("dlq.gold");
    assertThat(record.partition()).isNull();
    assertThat(record.timestamp()).isEqualTo(FAILED_AT.toEpochMilli());
    assertThat(record.key()).isEqualTo(late.key);
    assertThat(record.value()).isEqualTo(late.value);
    assertThat(new String(record.headers().lastHeader("dlq.source.timestamp").value(), StandardCharsets.UTF_8)).isEqualTo(EVENT_TIME.toString());
  }
}
