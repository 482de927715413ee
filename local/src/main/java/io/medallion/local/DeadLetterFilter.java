package io.medallion.local;

import io.medallion.common.deadletter.DeadLetterHeaders;
import io.medallion.common.deadletter.Stage;
import io.medallion.common.event.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Which dead letters {@code medallion dlq replay} re-publishes: those with one of the given error
 * codes (any code when none is given), of the given source topic (any when null), that failed in
 * {@code [since, until)}. The failure time is
 * the {@code dlq.failed.at} header, else the record's Kafka timestamp, which the stages set to the
 * same instant. A gold dead letter is never replayable: its value is a silver row, not a raw record.
 */
record DeadLetterFilter(Set<ErrorCode> codes, String sourceTopic, Instant since, Instant until) {

  enum Verdict {
    REPLAY,
    /** Outside the code or time filters. */
    FILTERED,
    /** Not a raw record that failed: a gold dead letter, or a record without {@code dlq.error.code}. */
    NOT_REPLAYABLE
  }

  DeadLetterFilter {
    codes = codes == null || codes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(codes));
    if (since != null && until != null && !since.isBefore(until)) {
      throw new IllegalArgumentException("--since " + since + " must be before --until " + until);
    }
  }

  static DeadLetterFilter all() {
    return new DeadLetterFilter(Set.of(), null, null, null);
  }

  Verdict judge(Headers headers, long kafkaTimestamp) {
    String code = text(headers, DeadLetterHeaders.ERROR_CODE);
    if (code == null || Stage.GOLD.headerValue().equals(text(headers, DeadLetterHeaders.STAGE))) {
      return Verdict.NOT_REPLAYABLE;
    }
    if (!codes.isEmpty() && codes.stream().noneMatch(c -> c.name().equals(code))) {
      return Verdict.FILTERED;
    }
    if (sourceTopic != null && !sourceTopic.equals(text(headers, DeadLetterHeaders.SOURCE_TOPIC))) {
      return Verdict.FILTERED;
    }
    Instant failedAt = failedAt(headers, kafkaTimestamp);
    if ((since != null && failedAt.isBefore(since)) || (until != null && !failedAt.isBefore(until))) {
      return Verdict.FILTERED;
    }
    return Verdict.REPLAY;
  }

  static Instant failedAt(Headers headers, long kafkaTimestamp) {
    String failedAt = text(headers, DeadLetterHeaders.FAILED_AT);
    if (failedAt != null) {
      try {
        return Instant.parse(failedAt);
      } catch (DateTimeParseException e) {
        // A foreign or damaged header: the Kafka timestamp is the same instant for our stages.
      }
    }
    return Instant.ofEpochMilli(kafkaTimestamp);
  }

  static String text(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
