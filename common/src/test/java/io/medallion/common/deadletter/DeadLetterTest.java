package io.medallion.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.common.event.ErrorCode;
import io.medallion.common.event.RawRecord;
import io.medallion.common.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLetterTest {
  private static final RawRecord RECORD =
      new RawRecord("raw.events", 3, 42L, 1_763_806_530_123L, "k-1".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, (byte) 0xFF});

  private static Map<String, String> headers(DeadLetter letter) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header header : letter.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  @Test
  void keepsTheOriginalBytesAndCarriesEveryHeaderOfTheContract() {
    DeadLetter letter =
        DeadLetter.of(
            RECORD,
            new Rejection(ErrorCode.INVALID_FIELD, "event_timestamp", "event_timestamp is bad", "java.time.DateTimeException"),
            Stage.BRONZE,
            "bronze-ingest",
            Instant.parse("2026-11-23T08:00:00.5Z"));

    assertThat(letter.key).isEqualTo(RECORD.key);
    assertThat(letter.value).isEqualTo(new byte[] {1, 2, (byte) 0xFF});
    assertThat(headers(letter))
        .containsExactly(
            Map.entry("dlq.error.code", "INVALID_FIELD"),
            Map.entry("dlq.error.field", "event_timestamp"),
            Map.entry("dlq.error.message", "event_timestamp is bad"),
            Map.entry("dlq.error.class", "java.time.DateTimeException"),
            Map.entry("dlq.stage", "bronze"),
            Map.entry("dlq.job", "bronze-ingest"),
            Map.entry("dlq.source.topic", "raw.events"),
            Map.entry("dlq.source.partition", "3"),
            Map.entry("dlq.source.offset", "42"),
            Map.entry("dlq.source.timestamp", "2025-11-22T10:15:30.123Z"),
            Map.entry("dlq.failed.at", "2026-11-23T08:00:00.500Z"));
  }

  @Test
  void leavesOutTheOptionalHeadersWhenNothingSetsThem() {
    DeadLetter letter =
        DeadLetter.of(
            new RawRecord("raw.events", 0, 0L, 0L, null, null),
            Rejection.of(ErrorCode.MALFORMED_JSON, "record value is null (tombstone)"),
            Stage.SILVER,
            "silver-transform",
            Instant.EPOCH);

    assertThat(letter.key).isNull();
    assertThat(letter.value).isNull();
    assertThat(headers(letter).keySet()).containsExactlyElementsOf(DeadLetterHeaders.ALWAYS_PRESENT);
    assertThat(headers(letter)).containsEntry("dlq.stage", "silver");
  }
}
