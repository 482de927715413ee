package io.medallion.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.event.ErrorCode;
import io.medallion.local.DeadLetterFilter.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterFilterTest {
  private static final Instant T = Instant.parse("2026-11-22T12:00:00Z");

  private static Headers letter(String code, String stage, String failedAt) {
    RecordHeaders headers = new RecordHeaders();
    if (code != null) {
      headers.add(DeadLetterHeaders.ERROR_CODE, code.getBytes(StandardCharsets.UTF_8));
    }
    headers.add(DeadLetterHeaders.STAGE, stage.getBytes(StandardCharsets.UTF_8));
    if (failedAt != null) {
      headers.add(DeadLetterHeaders.FAILED_AT, failedAt.getBytes(StandardCharsets.UTF_8));
    }
    return headers;
  }

  @Test
  void withoutFiltersReplaysEveryBronzeAndSilverLetter() {
    assertThat(DeadLetterFilter.all().judge(letter("INVALID_FIELD", "silver", T.toString()), 0)).isEqualTo(Verdict.REPLAY);
    assertThat(DeadLetterFilter.all().judge(letter("MALFORMED_JSON", "bronze", T.toString()), 0)).isEqualTo(Verdict.REPLAY);
  }

  @Test
  void goldLettersAndRecordsWithoutACodeAreNotReplayable() {
    assertThat(DeadLetterFilter.all().judge(letter("LATE_EVENT", "gold", T.toString()), 0)).isEqualTo(Verdict.NOT_REPLAYABLE);
    assertThat(DeadLetterFilter.all().judge(letter(null, "silver", T.toString()), 0)).isEqualTo(Verdict.NOT_REPLAYABLE);
  }

  @Test
  void selectsByAnyOfTheCodes() {
    DeadLetterFilter filter = new DeadLetterFilter(Set.of(ErrorCode.INVALID_FIELD, ErrorCode.MISSING_FIELD), null, null, null);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", null), 0)).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(letter("MISSING_FIELD", "silver", null), 0)).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(letter("TIMESTAMP_OUT_OF_RANGE", "silver", null), 0)).isEqualTo(Verdict.FILTERED);
  }

  @Test
  void selectsBySourceTopic() {
    DeadLetterFilter filter = new DeadLetterFilter(Set.of(), "raw.transactions", null, null);
    Headers fromTransactions = letter("INVALID_FIELD", "silver", null);
    fromTransactions.add(DeadLetterHeaders.SOURCE_TOPIC, "raw.transactions".getBytes(StandardCharsets.UTF_8));
    Headers fromMetrics = letter("INVALID_FIELD", "silver", null);
    fromMetrics.add(DeadLetterHeaders.SOURCE_TOPIC, "raw.metrics".getBytes(StandardCharsets.UTF_8));
    assertThat(filter.judge(fromTransactions, 0)).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(fromMetrics, 0)).isEqualTo(Verdict.FILTERED);
  }

  @Test
  void sinceIsInclusiveAndUntilExclusiveOnTheFailureTime() {
    DeadLetterFilter filter = new DeadLetterFilter(Set.of(), null, T, T.plusSeconds(60));
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", T.minusMillis(1).toString()), 0)).isEqualTo(Verdict.FILTERED);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", T.toString()), 0)).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", T.plusSeconds(59).toString()), 0)).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", T.plusSeconds(60).toString()), 0)).isEqualTo(Verdict.FILTERED);
  }

  @Test
  void withoutAReadableFailedAtTheKafkaTimestampDecides() {
    DeadLetterFilter filter = new DeadLetterFilter(Set.of(), null, T, null);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", null), T.toEpochMilli())).isEqualTo(Verdict.REPLAY);
    assertThat(filter.judge(letter("INVALID_FIELD", "silver", "yesterday"), T.toEpochMilli() - 1)).isEqualTo(Verdict.FILTERED);
  }

  @Test
  void rejectsAnEmptyTimeRange() {
    assertThatThrownBy(() -> new DeadLetterFilter(Set.of(), null, T, T)).hasMessageContaining("--since");
  }

  @Test
  void aReplayedRecordIsTheOriginalKeyAndValueWithOnlyItsOrigin() {
    RecordHeaders headers = (RecordHeaders) letter("INVALID_FIELD", "silver", T.toString());
    headers.add(DeadLetterHeaders.SOURCE_TIMESTAMP, "2026-11-21T08:00:00Z".getBytes(StandardCharsets.UTF_8));
    byte[] key = {1, 2};
    byte[] value = {(byte) 0xC3, 0x01, 7};
    ConsumerRecord<byte[], byte[]> letter =
        new ConsumerRecord<>("dlq.silver", 1, 42, T.toEpochMilli(), TimestampType.CREATE_TIME, 2, 3, key, value, headers, Optional.empty());

    ProducerRecord<byte[], byte[]> source = DeadLetterReplay.replayed(letter, "raw.events", DeadLetterReplay.Timestamps.SOURCE);
    ProducerRecord<byte[], byte[]> now = DeadLetterReplay.replayed(letter, "raw.events", DeadLetterReplay.Timestamps.NOW);

    assertThat(source.topic()).isEqualTo("raw.events");
    assertThat(source.key()).isSameAs(key);
    assertThat(source.value()).isSameAs(value);
    assertThat(source.timestamp()).isEqualTo(Instant.parse("2026-11-21T08:00:00Z").toEpochMilli());
    assertThat(source.headers().toArray()).hasSize(1);
    assertThat(new String(source.headers().lastHeader(DeadLetterHeaders.REPLAYED_FROM).value(), StandardCharsets.UTF_8))
        .isEqualTo("dlq.silver/1/42");
    assertThat(now.timestamp()).isNull();
  }

  @Test
  void theSummaryCountsByCode() {
    TreeMap<String, Long> byCode = new TreeMap<>();
    byCode.put("MISSING_FIELD", 2L);
    byCode.put("INVALID_FIELD", 10L);
    assertThat(new DeadLetterReplay.Summary("dlq.silver", "raw.events", false, byCode, 3, 0).text())
        .isEqualTo("replayed 12 records from dlq.silver to raw.events: INVALID_FIELD 10, MISSING_FIELD 2; skipped 3 (filters)");
    assertThat(new DeadLetterReplay.Summary("dlq.gold", "raw.events", true, new TreeMap<>(), 0, 4).text())
        .isEqualTo("would replay 0 records from dlq.gold to raw.events; skipped 0 (filters), 4 (not replayable:"
            + " gold dead letters or records without dlq.error.code)");
  }
}
