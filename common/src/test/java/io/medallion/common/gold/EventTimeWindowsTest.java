package io.medallion.common.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventTimeWindowsTest {
  private static final Duration MINUTE = Duration.ofMinutes(1);

  @ParameterizedTest
  @CsvSource({
    "2026-11-22T10:15:00Z,     2026-11-22T10:15:00Z, 2026-11-22T10:16:00Z",
    "2026-11-22T10:15:59.999Z, 2026-11-22T10:15:00Z, 2026-11-22T10:16:00Z",
    "2026-11-22T10:16:00Z,     2026-11-22T10:16:00Z, 2026-11-22T10:17:00Z",
    "1969-12-31T23:59:59.500Z, 1969-12-31T23:59:00Z, 1970-01-01T00:00:00Z",
  })
  void assignsEachInstantToTheWindowThatStartsAtOrBeforeIt(Instant time, Instant start, Instant end) {
    assertThat(EventTimeWindows.start(time, MINUTE)).isEqualTo(start);
    assertThat(EventTimeWindows.end(time, MINUTE)).isEqualTo(end);
  }

  @Test
  void anEventIsLateOnceTheWatermarkPassesItsWindowEndPlusTheAllowedLateness() {
    Instant event = Instant.parse("2026-11-22T10:15:30Z");
    Duration lateness = Duration.ofMinutes(2);
    // The window [10:15, 10:16) is kept until the watermark reaches 10:17:59.999.
    assertThat(EventTimeWindows.isLate(event, Instant.parse("2026-11-22T10:17:59.998Z"), MINUTE, lateness)).isFalse();
    assertThat(EventTimeWindows.isLate(event, Instant.parse("2026-11-22T10:17:59.999Z"), MINUTE, lateness)).isTrue();
    assertThat(EventTimeWindows.isLate(event, Instant.parse("2026-11-22T10:15:00Z"), MINUTE, Duration.ZERO)).isFalse();
  }
}
